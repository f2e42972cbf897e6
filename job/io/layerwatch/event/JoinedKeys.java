package io.layerwatch.event;

import java.util.Objects;

/**
 * Keys joined from parts (a principal ARN and its access key, a registry and a repository): the
 * same String for equal parts joined again (while no other parts displaced them). So a keyed
 * operator's key is hashed once, and found in keyed state by identity rather than compared
 * character by character. Parts are compared by identity first: the decoder's string cache makes
 * them the same instances. Direct-mapped; thread-safe (a slot holds an immutable entry).
 */
public final class JoinedKeys {
    private static final int SLOTS = 1 << 16;
    private static final Entry[] ENTRIES = new Entry[SLOTS];

    private record Entry(String a, String separator, String b, String joined) {}

    private JoinedKeys() {}

    /** {@code a + separator + b}, as string concatenation makes it (null parts as "null"). */
    public static String join(String a, String separator, String b) {
        int h = Objects.hashCode(a) * 31 + Objects.hashCode(b);
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        Entry e = ENTRIES[slot];
        if (e != null
                && Objects.equals(e.a, a)
                && Objects.equals(e.b, b)
                && Objects.equals(e.separator, separator)) {
            return e.joined;
        }
        String joined = a + separator + b;
        ENTRIES[slot] = new Entry(a, separator, b, joined);
        return joined;
    }
}
