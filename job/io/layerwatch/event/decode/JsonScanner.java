package io.layerwatch.event.decode;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.core.memory.MemoryUtils;

/**
 * A strict scanner of a conservative JSON subset, at the byte level, without building anything:
 * what it accepts Jackson parses (syntax checked strictly; nesting up to {@value #MAX_DEPTH},
 * strings up to 1 MiB, names up to {@value #MAX_NAME} bytes, numbers up to {@value #MAX_NUMBER}
 * characters, all well inside Jackson's limits); anything else throws {@link #UNPROVABLE}.
 * Subclasses read what they need on the way ({@link RecordPrefilter}, {@link RecordReader}). Not
 * thread-safe.
 */
abstract class JsonScanner {

    static final int MAX_DEPTH = 100;
    static final int MAX_NUMBER = 100;
    // Well inside Jackson's own limits (StreamReadConstraints: 20M-char strings, 50,000-char names,
    // depth 1000).
    static final int MAX_STRING = 1 << 20;
    static final int MAX_NAME = 10_000;

    /** Thrown (without a stack trace) when the input leaves the subset this scanner vouches for. */
    static final class Unprovable extends RuntimeException {
        Unprovable() {
            super(null, null, false, false);
        }
    }

    @SuppressWarnings("StaticAssignmentOfThrowable") // no stack trace, no state: shared
    static final Unprovable UNPROVABLE = new Unprovable();

    byte[] b;
    int pos;
    int limit;

    /** Non-ASCII bytes and backslash-u escapes seen so far. */
    int dirty;

    // The last string scanned: content range and whether it had an escape.
    int strStart;
    int strEnd;
    boolean strEscaped;

    /** Whether whitespace between tokens was skipped since this was last cleared. */
    boolean spaced;

    /** Sets the scanner on the bytes [from, to), from their first byte, with no dirt seen yet. */
    final void start(byte[] bytes, int from, int to) {
        b = bytes;
        pos = from;
        limit = to;
        dirty = 0;
    }

    /** Skips JSON whitespace (the four characters Jackson accepts between tokens). */
    static int skipWhitespace(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to && isWhitespace(bytes[i])) {
            i++;
        }
        return i;
    }

    private static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    /**
     * A member of an object scanned with {@code record} set (its key already scanned): by default
     * just its value.
     */
    void member(int depth) {
        value(depth + 1);
    }

    final void value(int depth) {
        switch (peek()) {
            case '{' -> object(depth, false);
            case '[' -> array(depth);
            case '"' -> string(MAX_STRING);
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        }
    }

    /** An object; with {@code record} set, each member goes to {@link #member}. */
    final void object(int depth, boolean record) {
        if (depth > MAX_DEPTH) {
            throw UNPROVABLE;
        }
        if (opensEmpty('}')) {
            return;
        }
        while (true) {
            key();
            if (record) {
                member(depth);
            } else {
                value(depth + 1);
            }
            if (closes('}')) {
                return;
            }
        }
    }

    /** A member's key and colon, up to its value. */
    final void key() {
        if (peek() != '"') {
            throw UNPROVABLE;
        }
        string(MAX_NAME);
        whitespace();
        if (next() != ':') {
            throw UNPROVABLE;
        }
        whitespace();
    }

    /**
     * At an opening bracket: steps in; true (and past {@code close}) when the container is empty.
     */
    final boolean opensEmpty(char close) {
        pos++;
        whitespace();
        if (peek() == close) {
            pos++;
            return true;
        }
        return false;
    }

    /** After a member or element: true at the closing {@code close}, false after a comma. */
    final boolean closes(char close) {
        whitespace();
        byte c = next();
        if (c == close) {
            return true;
        }
        if (c != ',') {
            throw UNPROVABLE;
        }
        whitespace();
        return false;
    }

    final void array(int depth) {
        if (depth > MAX_DEPTH) {
            throw UNPROVABLE;
        }
        if (opensEmpty(']')) {
            return;
        }
        do {
            value(depth + 1);
        } while (!closes(']'));
    }

    final void string(int maxLength) {
        byte[] bytes = b;
        int end = limit;
        int p = pos + 1;
        int start = p;
        boolean escaped = false;
        while (true) {
            p = plainRun(bytes, p, end);
            if (p >= end) {
                throw UNPROVABLE;
            }
            byte c = bytes[p];
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                escaped = true;
                p = escape(p);
            } else if (c >= 0) {
                throw UNPROVABLE; // raw control characters are not JSON
            } else {
                dirty++;
                p++;
            }
        }
        if (p - start > maxLength) {
            throw UNPROVABLE;
        }
        strStart = start;
        strEnd = p;
        strEscaped = escaped;
        pos = p + 1;
    }

    private static final sun.misc.Unsafe UNSAFE = MemoryUtils.UNSAFE;
    private static final long BYTES = UNSAFE.arrayBaseOffset(byte[].class);
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /**
     * The eight bytes at {@code i} as a little-endian long. One load, as Flink's memory segments
     * read (a byte-array view VarHandle here was often left as a call in the hot loops).
     */
    static long longAt(byte[] b, int i) {
        if (i < 0 || i > b.length - 8) {
            throw new ArrayIndexOutOfBoundsException(i);
        }
        long w = UNSAFE.getLong(b, BYTES + i);
        return LITTLE_ENDIAN ? w : Long.reverseBytes(w);
    }

    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH = 0x8080808080808080L;

    /**
     * Skips string content that needs no attention (printable ASCII other than quote and
     * backslash), eight bytes at a time: returns the position of the first byte that is a quote, a
     * backslash, a control character or not ASCII, or {@code end}.
     */
    static int plainRun(byte[] bytes, int p, int end) {
        while (p + 8 <= end) {
            long w = longAt(bytes, p);
            long quote = w ^ (ONES * '"');
            long backslash = w ^ (ONES * '\\');
            // A byte is flagged when it is zero after the xor (quote, backslash), below 0x20, or >=
            // 0x80; borrows can flag bytes after a flagged one, never before it, so the lowest flag
            // is exact.
            long flags =
                    (((quote - ONES) & ~quote)
                                    | ((backslash - ONES) & ~backslash)
                                    | (w - ONES * 0x20)
                                    | w)
                            & HIGH;
            if (flags != 0) {
                return p + (Long.numberOfTrailingZeros(flags) >>> 3);
            }
            p += 8;
        }
        while (p < end) {
            byte c = bytes[p];
            if (c < 0x20 || c == '"' || c == '\\') { // negative: not ASCII
                return p;
            }
            p++;
        }
        return end;
    }

    /** The escape at {@code p} (a backslash): returns the position after it. */
    final int escape(int p) {
        if (p + 1 >= limit) {
            throw UNPROVABLE;
        }
        switch (b[p + 1]) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return p + 2;
            }
            case 'u' -> {
                if (p + 6 > limit) {
                    throw UNPROVABLE;
                }
                for (int i = p + 2; i < p + 6; i++) {
                    if (Character.digit(b[i], 16) < 0) {
                        throw UNPROVABLE;
                    }
                }
                dirty++;
                return p + 6;
            }
            default -> throw UNPROVABLE;
        }
    }

    final void number() {
        int p = pos;
        if (p < limit && b[p] == '-') {
            p++;
        }
        if (p < limit && b[p] == '0') {
            p++;
        } else if (p < limit && b[p] >= '1' && b[p] <= '9') {
            p = digits(p);
        } else {
            throw UNPROVABLE;
        }
        if (p < limit && b[p] == '.') {
            p = requireDigits(p + 1);
        }
        if (p < limit && (b[p] == 'e' || b[p] == 'E')) {
            p++;
            if (p < limit && (b[p] == '+' || b[p] == '-')) {
                p++;
            }
            p = requireDigits(p);
        }
        if (p - pos > MAX_NUMBER) {
            throw UNPROVABLE;
        }
        pos = p;
    }

    private int requireDigits(int p) {
        if (p >= limit || b[p] < '0' || b[p] > '9') {
            throw UNPROVABLE;
        }
        return digits(p);
    }

    private int digits(int p) {
        while (p < limit && b[p] >= '0' && b[p] <= '9') {
            p++;
        }
        return p;
    }

    final void literal(String word) {
        int n = word.length();
        if (pos + n > limit) {
            throw UNPROVABLE;
        }
        for (int i = 0; i < n; i++) {
            if (b[pos + i] != word.charAt(i)) {
                throw UNPROVABLE;
            }
        }
        pos += n;
    }

    final void whitespace() {
        if (pos < limit && b[pos] > ' ') {
            return; // compact JSON: no whitespace between tokens
        }
        int from = pos;
        pos = skipWhitespace(b, pos, limit);
        spaced |= pos > from;
    }

    final byte peek() {
        if (pos >= limit) {
            throw UNPROVABLE;
        }
        return b[pos];
    }

    final byte next() {
        byte c = peek();
        pos++;
        return c;
    }

    final boolean equals(int start, int end, byte[] literal) {
        return end - start == literal.length
                && Arrays.equals(b, start, end, literal, 0, literal.length);
    }

    static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }
}
