package io.layerwatch.util;

/** Byte-array searches. */
public final class Bytes {
    private Bytes() {}

    /** Whether {@code needle} occurs in {@code haystack} (false for a null haystack). */
    public static boolean contains(byte[] haystack, byte[] needle) {
        if (haystack == null) {
            return false;
        }
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
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
