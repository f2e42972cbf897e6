package io.layerwatch.generate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * One generated file: a CloudTrail log file of one account and region (about five minutes of
 * records, in no particular order, as CloudTrail delivers them) or a file of EventBridge scan
 * events.
 *
 * @param delivered the delivery time in the file name (after every record in it)
 * @param unique the random part of the file name
 * @param records each a complete JSON object (a CloudTrail record or an EventBridge event)
 */
public record LogFile(
        Kind kind,
        String account,
        String region,
        Instant delivered,
        String unique,
        List<byte[]> records) {

    /** What a file holds and where it goes under the output directory. */
    public enum Kind {
        /**
         * {@code
         * AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz}.
         */
        CLOUDTRAIL,
        /**
         * {@code
         * ecr-scan-events/ACCOUNT/REGION/YYYY/MM/DD/ACCOUNT_ecr-scan-events_REGION_YYYYMMDDTHHmmZ_UNIQUE.jsonl.gz}:
         * "ECR Image Scan" / "Inspector2 Scan" EventBridge events as JSON lines. The
         * CloudTrail-style time stamp in the name makes replay read them in delivery order with the
         * trail.
         */
        SCAN_EVENTS
    }

    /** The folder of scan events under the output directory. */
    public static final String SCAN_EVENTS_DIR = "ecr-scan-events";

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

    /** The path relative to the output directory, with '/' separators. */
    public String path() {
        String stamp = STAMP.format(delivered);
        String day = DAY.format(delivered);
        return kind == Kind.CLOUDTRAIL
                ? "AWSLogs/"
                        + account
                        + "/CloudTrail/"
                        + region
                        + "/"
                        + day
                        + "/"
                        + account
                        + "_CloudTrail_"
                        + region
                        + "_"
                        + stamp
                        + "_"
                        + unique
                        + ".json.gz"
                : SCAN_EVENTS_DIR
                        + "/"
                        + account
                        + "/"
                        + region
                        + "/"
                        + day
                        + "/"
                        + account
                        + "_"
                        + SCAN_EVENTS_DIR
                        + "_"
                        + region
                        + "_"
                        + stamp
                        + "_"
                        + unique
                        + ".jsonl.gz";
    }

    /**
     * The uncompressed content: {@code {"Records":[...]}} for CloudTrail, JSON lines for scan
     * events.
     */
    public byte[] content() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size() + 16);
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The file as written: gzip of {@link #content()} (fast compression; same bytes for the same
     * records).
     */
    public byte[] gzip() {
        byte[] content = content();
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length / 6 + 64);
        try (GZIPOutputStream gz =
                new GZIPOutputStream(out, 1 << 16) {
                    {
                        def.setLevel(Deflater.BEST_SPEED);
                    }
                }) {
            gz.write(content); // one call: record by record costs a native deflate call each
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void writeTo(OutputStream out) throws IOException {
        if (kind == Kind.CLOUDTRAIL) {
            out.write("{\"Records\":[".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < records.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.write(records.get(i));
            }
            out.write("]}".getBytes(StandardCharsets.US_ASCII));
        } else {
            for (byte[] r : records) {
                out.write(r);
                out.write('\n');
            }
        }
    }

    private int size() {
        int n = 0;
        for (byte[] r : records) {
            n += r.length + 1;
        }
        return n;
    }
}
