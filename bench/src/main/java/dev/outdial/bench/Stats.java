package dev.outdial.bench;

import java.util.Arrays;

/** Summary of a set of measurements in milliseconds; percentiles by nearest rank. */
record Stats(int n, double min, double p50, double p90, double p99, double max, double mean) {

    static Stats of(double[] values) {
        if (values.length == 0) return new Stats(0, 0, 0, 0, 0, 0, 0);
        double[] v = values.clone();
        Arrays.sort(v);
        return new Stats(v.length, v[0], rank(v, 0.50), rank(v, 0.90), rank(v, 0.99), v[v.length - 1],
                Arrays.stream(v).average().orElse(0));
    }

    private static double rank(double[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    @Override
    public String toString() {
        return String.format("n=%d min=%.1f p50=%.1f p90=%.1f p99=%.1f max=%.1f mean=%.1f (ms)", n, min, p50, p90, p99, max, mean);
    }
}
