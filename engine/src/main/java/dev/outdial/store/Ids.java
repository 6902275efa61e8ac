package dev.outdial.store;

import java.security.SecureRandom;

/**
 * Object ids: a three-letter type prefix, an underscore and 20 random base32 characters,
 * 24 characters in all (DESIGN §6), which also fits the 24-character ids of the HappyRobot API.
 */
public final class Ids {
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    /** A new id such as {@code bat_k3q9…}; the prefix must be three lowercase letters. */
    public static String next(String prefix) {
        if (prefix.length() != 3) {
            throw new IllegalArgumentException("id prefix must be 3 characters, got " + prefix);
        }
        byte[] bytes = new byte[20];
        RANDOM.nextBytes(bytes);
        char[] out = new char[24];
        prefix.getChars(0, 3, out, 0);
        out[3] = '_';
        for (int i = 0; i < 20; i++) {
            out[4 + i] = BASE32[bytes[i] & 31];
        }
        return new String(out);
    }

    /** True if {@code id} has the shape of an id with this prefix; cheap filtering of garbage paths. */
    public static boolean looksLike(String prefix, String id) {
        if (id == null || id.length() != 24 || !id.startsWith(prefix) || id.charAt(3) != '_') {
            return false;
        }
        for (int i = 4; i < 24; i++) {
            char ch = id.charAt(i);
            if (!((ch >= 'a' && ch <= 'z') || (ch >= '2' && ch <= '7'))) {
                return false;
            }
        }
        return true;
    }
}
