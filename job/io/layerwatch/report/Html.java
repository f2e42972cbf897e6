package io.layerwatch.report;

import io.layerwatch.util.SafeText;
import io.layerwatch.util.Text;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * HTML text for the report. Everything that comes from the data (user agents, principals,
 * repository names, policy text, dead-letter payloads) passes through {@link #esc}, in element
 * text, attribute values and SVG alike. The output is also well-formed XML, so tests can parse it.
 */
final class Html {
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private Html() {}

    /**
     * Escapes {@code & < > " '} after {@link SafeText#escape}: controls (line breaks included),
     * bidi and zero-width characters, lone surrogates and non-characters show as visible \\uXXXX.
     * Null is "".
     */
    static String esc(String s) {
        return html(SafeText.escape(s));
    }

    /** Escaped and cut for a pre block: as {@link #esc} but line feeds stay. */
    static String pre(String s, int max) {
        return html(SafeText.escape(cut(s, max), "\n"));
    }

    private static String html(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The first {@code max} characters (never splitting a surrogate pair), with an ellipsis when
     * cut.
     */
    static String cut(String s, int max) {
        return Text.cut(s, max, max, Text.ELLIPSIS);
    }

    /** Escaped and cut: the form every data value takes in a table cell. */
    static String cell(String s, int max) {
        return esc(cut(s, max));
    }

    /**
     * An element id for a data value (a finding id): {@code prefix + value} when the value is 1 to
     * 100 letters, digits, '-' or '_' (finding ids are hex), else {@code prefix} and a hash of it;
     * null for null.
     */
    static String anchor(String prefix, String value) {
        if (value == null) {
            return null;
        }
        if (SAFE_ID.matcher(value).matches()) {
            return prefix + value;
        }
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256")
                            .digest(value.getBytes(StandardCharsets.UTF_8));
            return prefix + "h" + HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
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
