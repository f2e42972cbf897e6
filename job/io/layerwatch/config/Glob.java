package io.layerwatch.config;

import java.io.Serializable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A glob on ARNs or names: {@code *} matches any run of characters (including / and :), {@code ?}
 * one. Matching takes at most (pattern length x value length) steps, whatever the value: no
 * backtracking.
 */
public final class Glob implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String text;

    public Glob(String text) {
        this.text = text;
    }

    private static final int CACHED = 1024;
    private static final ConcurrentHashMap<String, Glob> COMPILED = new ConcurrentHashMap<>();

    /**
     * The glob of {@code text}, kept once for the texts a configuration names (up to {@value
     * #CACHED}).
     */
    public static Glob of(String text) {
        Glob glob = COMPILED.get(text);
        if (glob == null) {
            glob = new Glob(text);
            if (COMPILED.size() < CACHED) {
                COMPILED.putIfAbsent(text, glob);
            }
        }
        return glob;
    }

    /**
     * Greedy two-pointer matching: on a mismatch, only the last {@code *} seen takes one more
     * character (an earlier star never needs to: the last one can absorb whatever it would have).
     */
    public boolean matches(String value) {
        if (value == null) {
            return false;
        }
        int p = 0;
        int v = 0;
        int star = -1;
        int resume = 0;
        while (v < value.length()) {
            if (p < text.length()
                    && (text.charAt(p) == '?'
                            || (text.charAt(p) != '*' && text.charAt(p) == value.charAt(v)))) {
                p++;
                v++;
            } else if (p < text.length() && text.charAt(p) == '*') {
                star = p++;
                resume = v;
            } else if (star >= 0) {
                p = star + 1;
                v = ++resume;
            } else {
                return false;
            }
        }
        while (p < text.length() && text.charAt(p) == '*') {
            p++;
        }
        return p == text.length();
    }

    /**
     * Also true for the IAM role or user of the same name under any path: a glob without a path,
     * such as {@code arn:aws:iam::*:role/ci-*}, matches {@code
     * arn:aws:iam::111122223333:role/team/ci-deploy} (a role name is unique in its account whatever
     * its path). For protection, which a path must not evade.
     */
    public boolean matchesAnyPath(String arn) {
        return matches(arn) || matches(withoutPath(arn));
    }

    /**
     * {@code arn:P:iam::A:role/PATH/NAME} as {@code arn:P:iam::A:role/NAME} (users alike); null
     * otherwise.
     */
    static String withoutPath(String arn) {
        if (arn == null
                || !arn.startsWith("arn:")
                || !arn.startsWith(":iam::", arn.indexOf(':', 4))) {
            return null;
        }
        int resource = arn.lastIndexOf(':') + 1;
        int firstSlash = arn.indexOf('/', resource);
        int lastSlash = arn.lastIndexOf('/');
        String type = firstSlash < 0 ? "" : arn.substring(resource, firstSlash);
        if (firstSlash == lastSlash || !(type.equals("role") || type.equals("user"))) {
            return null;
        }
        return arn.substring(0, firstSlash + 1) + arn.substring(lastSlash + 1);
    }

    @Override
    public String toString() {
        return text;
    }
}
