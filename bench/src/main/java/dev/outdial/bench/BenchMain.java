package dev.outdial.bench; public class BenchMain { public static void main(String[] a){} }
