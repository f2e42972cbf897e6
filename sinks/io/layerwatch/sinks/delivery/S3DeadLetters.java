package io.layerwatch.sinks.delivery;

import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.util.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Dead letters written to S3 as one JSON object each: PREFIX/SINK/YYYY/MM/DD/FINDINGID-UUID.json.
 */
public record S3DeadLetters(String bucket, String prefix, AwsClientSettings aws)
        implements DeadLetterDestination {
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

    @Override
    public Writer open() {
        S3Client s3 = aws.build(S3Client.builder().forcePathStyle(aws.endpoint() != null));
        return new Writer() {
            @Override
            public void write(SinkDeadLetter d) {
                String key = key(prefix, d, Instant.now());
                s3.putObject(
                        b -> b.bucket(bucket).key(key).contentType("application/json"),
                        RequestBody.fromString(Json.write(d)));
            }

            @Override
            public void close() {
                s3.close();
            }
        };
    }

    static String key(String prefix, SinkDeadLetter d, Instant now) {
        String p =
                prefix == null || prefix.isEmpty()
                        ? ""
                        : prefix.endsWith("/") ? prefix : prefix + "/";
        return p
                + d.sink()
                + "/"
                + DAY.format(now)
                + "/"
                + d.findingId()
                + "-"
                + UUID.randomUUID()
                + ".json";
    }
}
