package io.layerwatch.event.decode;

import java.util.Arrays;

/**
 * The same String instance for the same short ASCII text read again (regions, accounts, event
 * names, role ARNs, repositories, user agents): fewer allocations, and the rules' and keyed state's
 * equality checks on them end at the identity test, their hash codes computed once. Two-way set
 * associative: a new text displaces the one of its set's two that was used less recently, so the
 * few texts on every record (event names, roles) stay while addresses and digests come and go. Not
 * thread-safe.
 */
final class StringCache {
    /** Longer texts are not kept. */
    static final int MAX_LENGTH = 256;

    private static final int SETS = 8192;

    /**
     * Up to this length the three words read for the hash cover the whole text: they are the key.
     */
    static final int IN_WORDS = 24;

    private static final long K = 0x9E3779B97F4A7C15L;

    private final int mask;

    /**
     * Per slot (set s has slots 2s and 2s + 1): the text's length (-1: empty), its three words, its
     * bytes when longer than {@link #IN_WORDS}.
     */
    private final int[] lengths;

    private final long[] words;
    private final byte[][] keys;
    private final String[] values;

    /** Per set: the slot of its two used last. */
    private final int[] recent;

    StringCache() {
        this(SETS);
    }

    /**
     * @param sets a power of two
     */
    StringCache(int sets) {
        mask = sets - 1;
        int slots = 2 * sets;
        lengths = new int[slots];
        Arrays.fill(lengths, -1);
        words = new long[3 * slots];
        keys = new byte[slots][];
        values = new String[slots];
        recent = new int[sets];
    }

    /**
     * The ASCII text at [start, end) as a String: the cached instance when the same bytes were read
     * before.
     */
    String get(byte[] b, int start, int end) {
        return get(b, start, end, false);
    }

    /**
     * The text of JSON string content at [start, end) (ASCII; two-character escapes if {@code
     * escaped}): the cached instance when the same bytes were read before.
     */
    String get(byte[] b, int start, int end, boolean escaped) {
        int n = end - start;
        if (n > MAX_LENGTH) {
            return RecordReader.unescaped(b, start, end, escaped);
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
        int set = (int) (h ^ (h >>> 32)) & mask;
        int first = 2 * set;
        if (holds(first, b, start, n, w0, w1, w2)) {
            recent[set] = first;
            return values[first];
        }
        if (holds(first + 1, b, start, n, w0, w1, w2)) {
            recent[set] = first + 1;
            return values[first + 1];
        }
        int slot = recent[set] == first ? first + 1 : first;
        recent[set] = slot;
        int w = 3 * slot;
        String value = RecordReader.unescaped(b, start, end, escaped);
        lengths[slot] = n;
        words[w] = w0;
        words[w + 1] = w1;
        words[w + 2] = w2;
        keys[slot] = n > IN_WORDS ? Arrays.copyOfRange(b, start, end) : null;
        values[slot] = value;
        return value;
    }

    private boolean holds(int slot, byte[] b, int start, int n, long w0, long w1, long w2) {
        int w = 3 * slot;
        return lengths[slot] == n
                && words[w] == w0
                && words[w + 1] == w1
                && words[w + 2] == w2
                && (n <= IN_WORDS || Arrays.equals(b, start, start + n, keys[slot], 0, n));
    }
}
