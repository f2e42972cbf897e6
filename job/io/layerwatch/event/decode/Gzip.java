package io.layerwatch.event.decode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Gzip payloads (CloudWatch Logs subscription data, .json.gz log files), inflated within
 * input.maxInflatedBytes.
 */
public final class Gzip {

    private Gzip() {}

    public static boolean isGzip(byte[] b, int offset, int length) {
        return length >= 2 && (b[offset] & 0xff) == 0x1f && (b[offset + 1] & 0xff) == 0x8b;
    }

    /**
     * Inflates gzip (one or more members) up to the built-in {@link
     * PayloadDecoder#DEFAULT_MAX_INFLATED_BYTES}.
     */
    public static byte[] gunzip(byte[] bytes, int offset, int length) throws IOException {
        return gunzip(bytes, offset, length, PayloadDecoder.DEFAULT_MAX_INFLATED_BYTES);
    }

    /**
     * Inflates gzip (one or more members), never holding more than {@code max} inflated bytes. The
     * output array is sized from the trailer's ISIZE (the last member's size mod 2^32, exact for a
     * log file), so a log file is inflated into one array, uncopied. When that claim was short the
     * rest is only counted, in a small buffer, up to {@code max}; then the whole is inflated again
     * into an array of its size.
     *
     * @throws PayloadDecoder.TooLarge when it inflates to more than {@code max} bytes
     */
    public static byte[] gunzip(byte[] bytes, int offset, int length, long max) throws IOException {
        long isize =
                length >= 18
                        ? (bytes[offset + length - 4] & 0xffL)
                                | (bytes[offset + length - 3] & 0xffL) << 8
                                | (bytes[offset + length - 2] & 0xffL) << 16
                                | (bytes[offset + length - 1] & 0xffL) << 24
                        : 0;
        // A trailer is only a claim: never more than deflate's best ratio (1032:1), 64 MiB or the
        // cap up front.
        long guess =
                Math.min(
                        isize > 0 ? isize : (long) length * 4,
                        Math.min((long) length * 1032, 64L << 20));
        byte[] out = new byte[(int) Math.min(Math.max(64, guess), max)];
        long total;
        try (InputStream in = gzipStream(bytes, offset, length)) {
            int n = in.readNBytes(out, 0, out.length);
            if (n < out.length) {
                return Arrays.copyOf(out, n);
            }
            long rest = count(in, max - n);
            if (rest < 0) {
                throw new PayloadDecoder.TooLarge(PayloadDecoder.inflatesBeyond(max));
            }
            total = n + rest;
        }
        if (total == out.length) {
            return out;
        }
        out = null; // let it go before the whole is inflated again
        byte[] whole = new byte[(int) total];
        try (InputStream in = gzipStream(bytes, offset, length)) {
            in.readNBytes(whole, 0, whole.length);
        }
        return whole;
    }

    private static InputStream gzipStream(byte[] bytes, int offset, int length) throws IOException {
        return new GZIPInputStream(new ByteArrayInputStream(bytes, offset, length), 64 * 1024);
    }

    /**
     * The bytes left in {@code in}, read into a small buffer and dropped; -1 as soon as they are
     * over {@code room}.
     */
    private static long count(InputStream in, long room) throws IOException {
        byte[] scratch = new byte[64 * 1024];
        long n = 0;
        for (int r; (r = in.read(scratch)) > 0; ) {
            n += r;
            if (n > room) {
                return -1;
            }
        }
        return n;
    }
}
