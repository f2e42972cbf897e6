package io.layerwatch.config;

import java.io.Serializable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A glob on image tags: {@code *} matches any run of characters, {@code ?} one, {@code [0-9]} /
 * {@code [a-z_.-]} one of a class (ranges and single characters; tags are letters, digits, {@code _
 * . -}, at most 128 characters, so matching stays cheap).
 */
public final class TagGlob implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int CACHED = 1024;
    private static final ConcurrentHashMap<String, TagGlob> COMPILED = new ConcurrentHashMap<>();

    private final String text;
    private final Pattern pattern;

    private TagGlob(String text) {
        this.text = text;
        this.pattern = Pattern.compile(regex(text));
    }

    /**
     * The glob of {@code text}, kept once for the texts a configuration names.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static TagGlob of(String text) {
        TagGlob known = COMPILED.get(text);
        return known != null
                ? known
                : COMPILED.size() < CACHED
                        ? COMPILED.computeIfAbsent(text, TagGlob::new)
                        : new TagGlob(text);
    }

    public boolean matches(String tag) {
        return tag != null && pattern.matcher(tag).matches();
    }

    @Override
    public String toString() {
        return text;
    }

    private static String regex(String glob) {
        if (glob.isEmpty()) {
            throw new IllegalArgumentException("an empty tag glob matches no tag");
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                out.append(".*");
            } else if (c == '?') {
                out.append('.');
            } else if (c == '[') {
                int end = glob.indexOf(']', i + 1);
                if (end < 0 || end == i + 1) {
                    throw new IllegalArgumentException(
                            "'"
                                    + glob
                                    + "': '[' at "
                                    + i
                                    + " opens no character class"
                                    + " (such as [0-9])");
                }
                out.append('[').append(characterClass(glob, i + 1, end)).append(']');
                i = end;
            } else if (c == ']') {
                throw new IllegalArgumentException(
                        "'" + glob + "': ']' at " + i + " closes no character class");
            } else {
                out.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return out.toString();
    }

    /**
     * The characters between {@code [} and {@code ]}: single characters and ranges a-b with a <= b.
     */
    private static String characterClass(String glob, int from, int to) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i < to; i++) {
            char c = glob.charAt(i);
            if (i + 2 < to && glob.charAt(i + 1) == '-') {
                char last = glob.charAt(i + 2);
                if (last < c) {
                    throw new IllegalArgumentException(
                            "'" + glob + "': range " + c + "-" + last + " is backwards");
                }
                out.append(escape(c)).append('-').append(escape(last));
                i += 2;
            } else {
                out.append(escape(c));
            }
        }
        return out.toString();
    }

    private static String escape(char c) {
        return Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c;
    }
}
