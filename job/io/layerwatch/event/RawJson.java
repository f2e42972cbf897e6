package io.layerwatch.event;

import io.layerwatch.util.Bytes;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An event's original record as compact UTF-8 JSON: a range of an array that may hold a few
 * thousand records (the decoder copies the records it reads into shared arrays, so the garbage
 * collector handles one large block instead of one array per event). Immutable; equal by content.
 */
public final class RawJson {
    private final byte[] bytes;
    private final int offset;
    private final int length;

    private RawJson(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
    }

    /** {@code bytes}, which the caller no longer changes; null for null. */
    public static RawJson of(byte[] bytes) {
        return bytes == null ? null : new RawJson(bytes, 0, bytes.length);
    }

    /** [offset, offset + length) of {@code bytes}, a range the caller no longer changes. */
    public static RawJson slice(byte[] bytes, int offset, int length) {
        return new RawJson(bytes, offset, length);
    }

    public int length() {
        return length;
    }

    /** The JSON text. */
    public String text() {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }

    /** This, or a copy in an array of its own when it is a range of a larger one. */
    RawJson detached() {
        return offset == 0 && length == bytes.length ? this : of(toBytes());
    }

    /** A copy of the bytes. */
    public byte[] toBytes() {
        return Arrays.copyOfRange(bytes, offset, offset + length);
    }

    /** Whether the bytes contain {@code needle}. */
    public boolean contains(byte[] needle) {
        return Bytes.contains(bytes, offset, offset + length, needle);
    }

    byte[] bytes() {
        return bytes;
    }

    int offset() {
        return offset;
    }

    void writeTo(DataOutput out) throws IOException {
        out.write(bytes, offset, length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawJson r
                && Arrays.equals(
                        bytes, offset, offset + length, r.bytes, r.offset, r.offset + r.length);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + bytes[i];
        }
        return h;
    }

    @Override
    public String toString() {
        return text();
    }
}
