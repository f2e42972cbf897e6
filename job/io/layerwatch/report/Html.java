package io.layerwatch.report;

import java.util.Locale;

/**
 * HTML text for the report. Everything that comes from the data (user agents, principals, repository
 * names, policy text, dead-letter payloads) passes through {@link #esc}, in element text, attribute
 * values and SVG alike. The output is also well-formed XML, so tests can parse it.
 */
final class Html {
    private Html() {}

    /**
     * Escapes {@code & < > " '} and replaces what is not allowed in HTML/XML text (C0 controls but
     * tab/newline/return, U+FFFE/U+FFFF, lone surrogates) with U+FFFD. Null is the empty string.
     */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF
                            || Character.isSurrogate(c)) {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** At most {@code max} characters (never splitting a surrogate pair), with an ellipsis when cut. */
    static String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end) + "\u2026";
    }

    /** Escaped and cut: the form every data value takes in a table cell. */
    static String cell(String s, int max) {
        return esc(cut(s, max));
    }

    /** 1,234,567 */
    static String num(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** "1 line", "2,000 lines". */
    static String count(long n, String noun) {
        return num(n) + " " + noun + (n == 1 ? "" : "s");
    }

    /** A percentage of a total with one decimal, or an empty string for a zero total. */
    static String pct(long part, long total) {
        return total == 0 ? "" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / total);
    }
}
