package io.layerwatch.event;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The same String instance for the same short ASCII text read again (regions, accounts, event names,
 * role ARNs, repositories): fewer allocations, and the rules' and keyed state's equality checks on them
 * end at the identity test. Direct-mapped: a text displaces the one in its slot. Not thread-safe.
 */
final class StringCache {
    /** Longer texts are not kept. */
    static final int MAX_LENGTH = 128;
    private static final int SLOTS = 4096;

    private final byte[][] keys = new byte[SLOTS][];
    private final String[] values = new String[SLOTS];

    /** The ASCII text at [start, end) as a String: the cached instance when the same bytes were read before. */
    String get(byte[] b, int start, int end) {
        int n = end - start;
        if (n > MAX_LENGTH) {
            return new String(b, start, n, StandardCharsets.ISO_8859_1);
        }
        long h = n;
        if (n >= 8) { // the first, middle and last eight bytes: the equality check below reads them all
            h = (h ^ JsonScanner.longAt(b, start)) * 0x9E3779B97F4A7C15L;
            h = (h ^ JsonScanner.longAt(b, start + (n - 8) / 2)) * 0x9E3779B97F4A7C15L;
            h = (h ^ JsonScanner.longAt(b, end - 8)) * 0x9E3779B97F4A7C15L;
        } else {
            for (int i = start; i < end; i++) {
                h = (h ^ b[i]) * 0x9E3779B97F4A7C15L;
            }
        }
        int slot = (int) (h ^ (h >>> 32)) & (SLOTS - 1);
        byte[] key = keys[slot];
        if (key != null && key.length == n && Arrays.equals(b, start, end, key, 0, n)) {
            return values[slot];
        }
        String value = new String(b, start, n, StandardCharsets.ISO_8859_1);
        keys[slot] = Arrays.copyOfRange(b, start, end);
        values[slot] = value;
        return value;
    }
}
