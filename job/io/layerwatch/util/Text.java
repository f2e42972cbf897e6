package io.layerwatch.util;

/** Text shortened for a field, a subject line or a table cell. */
public final class Text {
    /**
     * The ellipsis a cut string ends with unless the field asks for another (SNS subjects: "...").
     */
    public static final String ELLIPSIS = "\u2026";

    private Text() {}

    /** At most {@code max} characters, the {@link #ELLIPSIS} included when cut. */
    public static String cut(String s, int max) {
        return cut(s, max, ELLIPSIS);
    }

    /** At most {@code max} characters, {@code ellipsis} included when cut. */
    public static String cut(String s, int max, String ellipsis) {
        return cut(s, max, max - ellipsis.length(), ellipsis);
    }

    /**
     * {@code s} itself when it has at most {@code max} characters, else its first {@code keep}
     * characters (one fewer when the last would be the first half of a surrogate pair) followed by
     * {@code ellipsis}. Null stays null.
     */
    public static String cut(String s, int max, int keep, String ellipsis) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = keep;
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, Math.max(0, end)) + ellipsis;
    }
}
