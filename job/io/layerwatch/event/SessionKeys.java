package io.layerwatch.event;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The session keys ({@code ASIA...}) a decoder has seen, each with the earliest time seen, least
 * recently used first out beyond {@value #MAX_KEYS}: which record is a session's first sighting
 * (its origin). A key forgotten by eviction is reported again, which the rule tolerates (it keeps
 * the earliest origin). Not thread-safe.
 */
public final class SessionKeys {

    /** Keys remembered at most (about 100 bytes each). */
    public static final int MAX_KEYS = 1 << 16;

    private final Map<String, Long> earliest =
            new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                    return size() > MAX_KEYS;
                }
            };

    /** A temporary session key (STS): {@code ASIA} and at least 16 characters. */
    public static boolean isSessionKey(String key) {
        return key != null && key.length() >= 16 && key.startsWith("ASIA");
    }

    public static boolean isSessionKey(byte[] b, int start, int end) {
        return end - start >= 16
                && b[start] == 'A'
                && b[start + 1] == 'S'
                && b[start + 2] == 'I'
                && b[start + 3] == 'A';
    }

    /**
     * A comparable number for a plain UTC time (as the decoder's prefilter vouches for) at {@code
     * at}: its fourteen digits (yyyyMMddHHmmss) as one decimal number.
     */
    public static long timeKey(byte[] t, int at) {
        long v = 0;
        for (int i = at; i < at + 19; i++) {
            if (t[i] >= '0' && t[i] <= '9') {
                v = v * 10 + (t[i] - '0');
            }
        }
        return v;
    }

    /**
     * True, noting it, when {@code key} was not seen yet or only at later times than {@code time}
     * (any comparable number; {@link Long#MIN_VALUE}: unknown, always a first sighting).
     */
    public boolean firstSighting(String key, long time) {
        Long seen = earliest.get(key);
        if (seen != null && (time == Long.MIN_VALUE || seen <= time)) {
            return time == Long.MIN_VALUE;
        }
        earliest.put(key, time == Long.MIN_VALUE ? Long.MAX_VALUE : time);
        return true;
    }

    public boolean firstSighting(byte[] b, int start, int end, long time) {
        return firstSighting(new String(b, start, end - start, StandardCharsets.ISO_8859_1), time);
    }
}
