package io.layerwatch.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.UncheckedIOException;

/**
 * Attacker-controlled text (repository names, user agents, policy text) shown to people: in
 * reports, chat, email, Security Hub, terminals and logs. Controls (CR, LF, ESC, C1), format
 * characters (bidi overrides and isolates, zero-width characters, U+FEFF), line/paragraph
 * separators, lone surrogates, private-use and unassigned code points cannot fake lines, reorder
 * text or drive a terminal.
 */
public final class SafeText {
    /**
     * Terminal- and log-safe JSON: same values, every {@link #unsafe} character as a \\uXXXX
     * escape.
     */
    private static final ObjectWriter JSON = Json.MAPPER.writer().with(new UnsafeEscapes());

    private SafeText() {}

    /** True for the characters that must not reach a reader raw. */
    public static boolean unsafe(int c) {
        int type = Character.getType(c);
        return type == Character.CONTROL
                || type == Character.FORMAT
                || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.SURROGATE
                || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE;
    }

    /** The text with every {@link #unsafe} character as a visible \\uXXXX escape; null is "". */
    public static String escape(String s) {
        return escape(s, "");
    }

    /**
     * {@link #escape}, except that the characters in {@code keep} (say "\n" for a pre block) stay.
     */
    public static String escape(String s, String keep) {
        if (s == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (unsafe(c) && keep.indexOf(c) < 0) {
                if (out == null) {
                    out = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                out.append(code(c));
            } else if (out != null) {
                out.appendCodePoint(c);
            }
            i += Character.charCount(c);
        }
        return out == null ? s : out.toString();
    }

    /** "\\u202E": the escape that shows a code point. */
    private static String code(int c) {
        return String.format("\\u%04X", c);
    }

    /** {@link #escape}, or null for null (optional fields stay absent). */
    public static String escapeOrNull(String s) {
        return s == null ? null : escape(s);
    }

    /**
     * A copy of the JSON value with {@link #escape} applied to every string and field name in it.
     */
    public static JsonNode escape(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            return TextNode.valueOf(escape(node.textValue()));
        }
        if (node.isObject()) {
            ObjectNode out = Json.MAPPER.createObjectNode();
            node.fields().forEachRemaining(e -> out.set(escape(e.getKey()), escape(e.getValue())));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = Json.MAPPER.createArrayNode();
            node.forEach(e -> out.add(escape(e)));
            return out;
        }
        return node;
    }

    /** The value as one line of JSON (as {@link Json#write}) with no unsafe character raw in it. */
    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Jackson's standard escapes plus DEL and every non-ASCII {@link #unsafe} character. */
    private static final class UnsafeEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii = standardAsciiEscapesForJSON();

        UnsafeEscapes() {
            ascii[0x7F] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        /**
         * Called per UTF-16 unit: surrogate halves pass (a pair is one character, not a threat).
         */
        @Override
        public SerializableString getEscapeSequence(int ch) {
            return unsafe(ch) && !Character.isSurrogate((char) ch)
                    ? new SerializedString(code(ch))
                    : null;
        }
    }
}
