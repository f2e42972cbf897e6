package io.layerwatch.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.zip.GZIPOutputStream;

/**
 * CloudTrail log files as a trail writes them to S3: gzip {@code {"Records":[...]}} under {@code
 * AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz}.
 */
public final class TrailFiles {
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'").withZone(ZoneOffset.UTC);

    private TrailFiles() {}

    /** The key (relative path) of a log file delivered at {@code delivered}. */
    public static String key(String account, String region, Instant delivered, String unique) {
        return "AWSLogs/"
                + account
                + "/CloudTrail/"
                + region
                + "/"
                + DAY.format(delivered)
                + "/"
                + account
                + "_CloudTrail_"
                + region
                + "_"
                + STAMP.format(delivered)
                + "_"
                + unique
                + ".json.gz";
    }

    /** A gzip log file holding these records (JSON text each). */
    public static byte[] logFile(Collection<String> records) {
        return gzip(
                ("{\"Records\":[" + String.join(",", records) + "]}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a log file to {@code root/key}. */
    public static Path write(Path root, String key, Collection<String> records) throws IOException {
        Path file = root.resolve(key);
        Files.createDirectories(file.getParent());
        return Files.write(file, logFile(records));
    }

    /** A gzip bomb: {@code size} zero bytes gzipped, streamed (about 1,000 times smaller). */
    public static byte[] gzipOfZeros(long size) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        gzipOfZeros(buffer, size);
        return buffer.toByteArray();
    }

    /** {@link #gzipOfZeros(long)} written to {@code out}, which it closes. */
    public static void gzipOfZeros(OutputStream out, long size) {
        byte[] block = new byte[1 << 20];
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
            for (long left = size; left > 0; left -= block.length) {
                gz.write(block, 0, (int) Math.min(block.length, left));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(buffer)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }
}
