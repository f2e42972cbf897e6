package io.layerwatch.remediation;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.layerwatch.sinks.remediation.AuditLog;
import io.layerwatch.sinks.remediation.AuditLogSink;
import io.layerwatch.sinks.remediation.AuditRecord;
import io.layerwatch.sinks.remediation.S3AuditSink;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's audit log: in S3 one object per record, through the SDK's S3 client; locally a file
 * only appended to.
 */
class RemediationAuditSinkIT {

    @TempDir Path dir;

    static AuditRecord record(String id) {
        return new AuditRecord(
                id,
                Instant.parse("2026-03-02T10:00:01Z"),
                "f-1",
                "repository-exposed",
                "remove-exposing-statements",
                "arn:aws:ecr:us-east-1:111122223333:repository/app",
                "111122223333",
                "us-east-1",
                AuditRecord.DRY_RUN,
                "layerwatch",
                "rule",
                "why",
                null,
                null,
                null,
                AuditRecord.RESULT_DRY_RUN,
                null,
                0,
                null);
    }

    @Test
    @SuppressWarnings("deprecation")
    void theLocalAuditLogIsAppendedToNeverTruncated() throws Exception {
        Path file = dir.resolve("remediation-audit.jsonl");
        Files.writeString(file, Json.write(record("earlier")) + "\n");
        try (SinkWriter<AuditRecord> w =
                new AuditLogSink(file.toString()).createWriter((Sink.InitContext) null)) {
            w.write(record("a"), null);
            w.write(record("b"), null);
        }
        assertThat(new AuditLog(file).read())
                .extracting(AuditRecord::id)
                .containsExactly("earlier", "a", "b");
    }

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    @Test
    @SuppressWarnings("deprecation")
    void eachRecordIsOneObjectByDay() throws Exception {
        AWS.server()
                .stubFor(
                        put(urlPathMatching("/audit-bucket/.*"))
                                .willReturn(aResponse().withStatus(200)));
        AuditRecord r =
                new AuditRecord(
                        "0f3c9a1b2c3d4e5f60718293a4b5c6d7",
                        Instant.parse("2026-03-02T10:00:01Z"),
                        "f-1",
                        "repository-exposed",
                        "remove-exposing-statements",
                        "arn:aws:ecr:us-east-1:111122223333:repository/app",
                        "111122223333",
                        "us-east-1",
                        AuditRecord.DRY_RUN,
                        "layerwatch",
                        "rule",
                        "why",
                        null,
                        null,
                        null,
                        AuditRecord.RESULT_DRY_RUN,
                        null,
                        0,
                        null);
        try (SinkWriter<AuditRecord> w =
                new S3AuditSink("audit-bucket", "remediation", AWS.settings())
                        .createWriter((Sink.InitContext) null)) {
            w.write(r, null);
        }
        List<LoggedRequest> puts =
                AWS.server().findAll(putRequestedFor(urlPathMatching("/audit-bucket/.*")));
        assertThat(puts)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.getUrl())
                                    .isEqualTo(
                                            "/audit-bucket/remediation/2026/03/02/2026-03-02T100001Z-0f3c9a1b2c3d4e5f60718293a4b5c6d7.json");
                            // The SDK may frame the body (aws-chunked, with a checksum trailer):
                            // the record is inside.
                            assertThat(p.getBodyAsString()).contains(Json.write(r));
                        });
    }
}
