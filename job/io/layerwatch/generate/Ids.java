package io.layerwatch.generate;

import java.util.SplittableRandom;

/**
 * Deterministic identifiers: stable hashes of names (layer digests, VPC endpoint ids, access keys
 * that must be the same wherever a name recurs) and random ones from a seeded generator (event
 * ids).
 */
final class Ids {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final char[] ALNUM =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final char[] KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private Ids() {}

    /** SplitMix64's finaliser: a well-mixed 64-bit value. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A 64-bit hash (FNV-1a, then mixed) of a name and two numbers. */
    static long hash(String name, long a, long b) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < name.length(); i++) {
            h ^= name.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(mix(h ^ a) + b * 0x9e3779b97f4a7c15L);
    }

    static long hash(String name) {
        return hash(name, 0, 0);
    }

    /** {@code sha256:} and 64 hex digits derived from {@code h}. */
    static String sha256(long h) {
        StringBuilder out = new StringBuilder(71).append("sha256:");
        for (int i = 1; i <= 4; i++) {
            appendHex(out, mix(h + i), 16);
        }
        return out.toString();
    }

    static String hex(long h, int digits) {
        StringBuilder out = new StringBuilder(digits);
        while (out.length() < digits) {
            appendHex(out, h, Math.min(16, digits - out.length()));
            h = mix(h + 1);
        }
        return out.toString();
    }

    /** A random version-4 UUID. */
    static String uuid(SplittableRandom rng) {
        long hi = (rng.nextLong() & ~0xF000L) | 0x4000L;
        long lo = (rng.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        StringBuilder out = new StringBuilder(36);
        appendHex(out, hi >>> 32, 8);
        out.append('-');
        appendHex(out, hi >>> 16, 4);
        out.append('-');
        appendHex(out, hi, 4);
        out.append('-');
        appendHex(out, lo >>> 48, 4);
        out.append('-');
        appendHex(out, lo, 12);
        return out.toString();
    }

    /** Letters and digits, as in the unique part of CloudTrail file names. */
    static String alnum(SplittableRandom rng, int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = ALNUM[rng.nextInt(ALNUM.length)];
        }
        return new String(c);
    }

    /**
     * An access key id: prefix (ASIA temporary, AKIA long-term) and 16 base-32 characters from
     * {@code h}.
     */
    static String accessKey(String prefix, long h) {
        char[] c = new char[16];
        for (int i = 0; i < 16; i++) {
            c[i] = KEY[(int) ((h >>> (i * 4)) & 31)];
            if (i == 7) {
                h = mix(h);
            }
        }
        return prefix + new String(c);
    }

    /**
     * IAM unique ids (AROA..., AIDA...): prefix and 17 upper-case base-32 characters of a name's
     * hash.
     */
    static String uniqueId(String prefix, String name) {
        return accessKey(prefix, hash(name)) + KEY[(int) (hash(name, 1, 0) & 31)];
    }

    private static void appendHex(StringBuilder out, long v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            out.append(HEX[(int) ((v >>> (i * 4)) & 0xF)]);
        }
    }
}
