package io.layerwatch.event.decode;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The same String instance for the same short ASCII text read again (regions, accounts, event
 * names, role ARNs, repositories): fewer allocations, and the rules' and keyed state's equality
 * checks on them end at the identity test. Direct-mapped: a text displaces the one in its slot. Not
 * thread-safe.
 */
final class StringCache {
    /** Longer texts are not kept. */
    static final int MAX_LENGTH = 128;

    private static final int SLOTS = 4096;

    /**
     * Up to this length the three words read for the hash cover the whole text: they are the key.
     */
    static final int IN_WORDS = 24;

    private static final long K = 0x9E3779B97F4A7C15L;

    private final int mask;

    /**
     * Per slot: the text's length (-1: empty), its three words, its bytes when longer than {@link
     * #IN_WORDS}.
     */
    private final int[] lengths;

    private final long[] words;
    private final byte[][] keys;
    private final String[] values;

    StringCache() {
        this(SLOTS);
    }

    /**
     * @param slots a power of two
     */
    StringCache(int slots) {
        mask = slots - 1;
        lengths = new int[slots];
        Arrays.fill(lengths, -1);
        words = new long[3 * slots];
        keys = new byte[slots][];
        values = new String[slots];
    }

    /**
     * The ASCII text at [start, end) as a String: the cached instance when the same bytes were read
     * before.
     */
    String get(byte[] b, int start, int end) {
        int n = end - start;
        if (n > MAX_LENGTH) {
            return new String(b, start, n, StandardCharsets.ISO_8859_1);
        }
        // The first, middle and last eight bytes (up to 24 bytes, all of them), or the text in one
        // word.
        long w0;
        long w1 = 0;
        long w2 = 0;
        if (n >= 8) {
            w0 = JsonScanner.longAt(b, start);
            w1 = JsonScanner.longAt(b, start + (n - 8) / 2);
            w2 = JsonScanner.longAt(b, end - 8);
        } else {
            w0 = 0;
            for (int i = 0; i < n; i++) {
                w0 |= (b[start + i] & 0xFFL) << (8 * i);
            }
        }
        long h = (((n ^ w0) * K ^ w1) * K ^ w2) * K;
        int slot = (int) (h ^ (h >>> 32)) & mask;
        int w = 3 * slot;
        if (lengths[slot] == n
                && words[w] == w0
                && words[w + 1] == w1
                && words[w + 2] == w2
                && (n <= IN_WORDS || Arrays.equals(b, start, end, keys[slot], 0, n))) {
            return values[slot];
        }
        String value = new String(b, start, n, StandardCharsets.ISO_8859_1);
        lengths[slot] = n;
        words[w] = w0;
        words[w + 1] = w1;
        words[w + 2] = w2;
        keys[slot] = n > IN_WORDS ? Arrays.copyOfRange(b, start, end) : null;
        values[slot] = value;
        return value;
    }
}
