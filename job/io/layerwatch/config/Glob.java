package io.layerwatch.config;

import java.io.Serializable;
import java.util.regex.Pattern;

/** A glob on ARNs or names: {@code *} matches any run of characters (including / and :), {@code ?} one. */
public final class Glob implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String text;
    private final Pattern pattern;

    public Glob(String text) {
        this.text = text;
        StringBuilder re = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        this.pattern = Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    private static final int CACHED = 1024;
    private static final java.util.concurrent.ConcurrentHashMap<String, Glob> COMPILED =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The glob of {@code text}, compiled once for the texts a configuration names (up to {@value #CACHED}). */
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

    public boolean matches(String value) {
        return value != null && pattern.matcher(value).matches();
    }

    @Override
    public String toString() {
        return text;
    }
}
