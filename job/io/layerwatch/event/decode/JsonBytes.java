package io.layerwatch.event.decode;

import java.util.Arrays;

/** Byte-level framing of JSON text: blanks, values by their brackets, compacting. */
public final class JsonBytes {

    private JsonBytes() {}

    /** Past a UTF-8 byte order mark and JSON whitespace. */
    static int skipBlank(byte[] b, int from, int end) {
        int i = from;
        // UTF-8 byte order mark
        if (end - i >= 3
                && (b[i] & 0xff) == 0xEF
                && (b[i + 1] & 0xff) == 0xBB
                && (b[i + 2] & 0xff) == 0xBF) {
            i += 3;
        }
        while (i < end && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    /**
     * True when the bytes cannot be JSON text: a control character, or no line break in the first
     * 512 bytes.
     */
    static boolean looksBinary(byte[] b, int from, int end) {
        int limit = Math.min(end, from + 512);
        boolean newline = false;
        for (int i = from; i < limit; i++) {
            int c = b[i] & 0xff;
            if (c == '\n') {
                newline = true;
            } else if (c < 0x20 && c != '\r' && c != '\t') {
                return true;
            }
        }
        return !newline;
    }

    static int indexOf(byte[] b, byte value, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return end;
    }

    /**
     * After a member or element ending at {@code pos}: past its comma, or at the {@code close}
     * byte; else end.
     */
    static int afterMember(byte[] bytes, int pos, int end, char close) {
        int i = JsonScanner.skipWhitespace(bytes, pos, end);
        if (i < end && bytes[i] == ',') {
            int next = JsonScanner.skipWhitespace(bytes, i + 1, end);
            return next < end && bytes[next] != close ? next : end; // a trailing comma is malformed
        }
        return i < end && bytes[i] == close ? i : end;
    }

    /**
     * Where the JSON value at {@code start} ends, by its brackets and strings only (Jackson checks
     * the rest), at any depth: -1 when the brackets do not match or the input ends first.
     */
    static int valueEnd(byte[] bytes, int start, int end) {
        long[] arrays =
                new long[1]; // per open bracket, one bit: set for '['; grows with the depth (input
        // / 8)
        int depth = 0;
        int i = start;
        do {
            if (i >= end) {
                return -1;
            }
            byte c = bytes[i];
            if (c == '"') {
                for (i++; i < end && bytes[i] != '"'; i++) {
                    if (bytes[i] == '\\') {
                        i++;
                    }
                }
                i++;
            } else if (c == '{' || c == '[') {
                if (depth == arrays.length * 64) {
                    arrays = Arrays.copyOf(arrays, arrays.length * 2);
                }
                if (c == '[') {
                    arrays[depth >> 6] |= 1L << depth;
                } else {
                    arrays[depth >> 6] &= ~(1L << depth);
                }
                depth++;
                i++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return -1;
                }
                depth--;
                boolean array = (arrays[depth >> 6] >>> depth & 1) != 0;
                if (array != (c == ']')) {
                    return -1;
                }
                i++;
            } else if (depth == 0) { // a scalar: to the next delimiter
                while (i < end
                        && bytes[i] != ','
                        && bytes[i] != '}'
                        && bytes[i] != ']'
                        && bytes[i] != ' '
                        && bytes[i] != '\n'
                        && bytes[i] != '\r'
                        && bytes[i] != '\t') {
                    i++;
                }
            } else {
                i++;
            }
        } while (depth > 0);
        return i <= end ? i : -1;
    }

    /**
     * The JSON text at [start, end) without whitespace outside strings: for a record as Jackson
     * writes it (CloudTrail's own log files), the same bytes its tree would give, without building
     * the tree.
     */
    public static byte[] compact(byte[] bytes, int start, int end) {
        byte[] out = null; // allocated at the first whitespace: CloudTrail's own records have none
        int n = 0;
        int run = start; // the bytes from here on are not copied yet
        int i = start;
        while (i < end) {
            byte c = bytes[i];
            if (c == '"') {
                int j = i + 1; // to after the closing quote, eight plain bytes at a time
                while ((j = JsonScanner.plainRun(bytes, j, end)) < end && bytes[j] != '"') {
                    j += bytes[j] == '\\' ? 2 : 1;
                }
                i = Math.min(j + 1, end);
            } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                if (out == null) {
                    out = new byte[end - start];
                }
                System.arraycopy(bytes, run, out, n, i - run);
                n += i - run;
                run = ++i;
            } else {
                i++;
            }
        }
        if (out == null) {
            return Arrays.copyOfRange(bytes, start, end);
        }
        System.arraycopy(bytes, run, out, n, end - run);
        n += end - run;
        return n == out.length ? out : Arrays.copyOf(out, n);
    }
}
