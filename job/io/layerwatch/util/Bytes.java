package io.layerwatch.util;

/** Byte-array searches. */
public final class Bytes {
    private Bytes() {}

    /** Whether {@code needle} occurs in {@code haystack} (false for a null haystack). */
    public static boolean contains(byte[] haystack, byte[] needle) {
        return haystack != null && contains(haystack, 0, haystack.length, needle);
    }

    /** Whether {@code needle} occurs in [from, to) of {@code haystack}. */
    public static boolean contains(byte[] haystack, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i + needle.length <= to; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
