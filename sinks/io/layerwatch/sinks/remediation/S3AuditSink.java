package io.layerwatch.sinks.remediation;

import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The audit log of the streaming job in S3: one JSON object per audit record at {@code
 * PREFIX/YYYY/MM/DD/TIME-ID.json}, written synchronously as the record passes (records are few;
 * after a restore a record written again lands on the same key).
 */
public final class S3AuditSink implements Sink<AuditRecord> {
    private static final long serialVersionUID = 1L;
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

    private final String bucket;
    private final String prefix;
    private final AwsClientSettings aws;

    public S3AuditSink(String bucket, String prefix, AwsClientSettings aws) {
        this.bucket = bucket;
        this.prefix = prefix;
        this.aws = aws;
    }

    /** The object key of a record. */
    public static String key(String prefix, AuditRecord r) {
        String p =
                prefix == null || prefix.isEmpty()
                        ? ""
                        : prefix.endsWith("/") ? prefix : prefix + "/";
        return p
                + DAY.format(r.time())
                + "/"
                + r.time().toString().replace(":", "")
                + "-"
                + r.id()
                + ".json";
    }

    @Override
    @Deprecated
    public SinkWriter<AuditRecord> createWriter(InitContext context) {
        S3Client s3 = aws.build(S3Client.builder().forcePathStyle(aws.endpoint() != null));
        return new SinkWriter<>() {
            @Override
            public void write(AuditRecord r, Context context) throws IOException {
                s3.putObject(
                        b -> b.bucket(bucket).key(key(prefix, r)).contentType("application/json"),
                        RequestBody.fromString(Json.write(r)));
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {
                s3.close();
            }
        };
    }
}
