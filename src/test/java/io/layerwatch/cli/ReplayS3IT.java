package io.layerwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.FakeS3;
import io.layerwatch.testing.TrailFiles;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code layerwatch replay s3://...} end to end: the real SDK client against a fake S3 on WireMock.
 */
class ReplayS3IT {
    static final FakeS3 S3 = new FakeS3();

    @RegisterExtension static final FakeAws AWS = new FakeAws(S3);

    static final String BUCKET = "trail";
    static final String ACCOUNT = CloudTrailRecords.ACCOUNT;
    static final String OTHER = CloudTrailRecords.TRUSTED_ACCOUNT;

    @TempDir Path dir;

    static String download(String account, String region, String time, String digest) {
        return CloudTrailRecords.record("GetDownloadUrlForLayer")
                .recipientAccount(account)
                .region(region)
                .time(Instant.parse(time))
                .requestParameters(
                        CloudTrailRecords.object("repositoryName", "app", "layerDigest", digest))
                .json();
    }

    static String put(
            String account, String region, String delivered, String unique, String... records) {
        String key = TrailFiles.key(account, region, Instant.parse(delivered), unique);
        S3.put(BUCKET, key, TrailFiles.logFile(List.of(records)));
        return key;
    }

    @BeforeEach
    void s3() {
        S3.install(AWS.server());
    }

    @Test
    void replaysTheFilesInScopeDeadLetteringTheUnreadable() throws Exception {
        String b =
                put(
                        ACCOUNT,
                        "us-east-1",
                        "2024-05-01T12:05:00Z",
                        "b",
                        download(ACCOUNT, "us-east-1", "2024-05-01T12:01:00Z", "sha256:1"),
                        download(ACCOUNT, "us-east-1", "2024-05-01T12:02:00Z", "sha256:2"));
        String c =
                put(
                        ACCOUNT,
                        "us-east-1",
                        "2024-05-01T12:10:00Z",
                        "c",
                        download(ACCOUNT, "us-east-1", "2024-05-01T12:06:00Z", "sha256:3"),
                        CloudTrailRecords.record("GetObject")
                                .eventSource("s3.amazonaws.com")
                                .json());
        String denied =
                put(
                        ACCOUNT,
                        "us-east-1",
                        "2024-05-01T12:15:00Z",
                        "d",
                        download(ACCOUNT, "us-east-1", "2024-05-01T12:11:00Z", "sha256:denied"));
        String failing =
                put(
                        ACCOUNT,
                        "us-east-1",
                        "2024-05-01T12:20:00Z",
                        "e",
                        download(ACCOUNT, "us-east-1", "2024-05-01T12:16:00Z", "sha256:failing"));
        S3.failGet(BUCKET, denied, 403);
        S3.failGet(BUCKET, failing, 500);
        put(
                ACCOUNT,
                "eu-west-1",
                "2024-05-01T12:05:00Z",
                "f",
                download(ACCOUNT, "eu-west-1", "2024-05-01T12:01:00Z", "sha256:other-region"));
        put(
                OTHER,
                "us-east-1",
                "2024-05-01T12:05:00Z",
                "g",
                download(OTHER, "us-east-1", "2024-05-01T12:01:00Z", "sha256:other-account"));
        put(
                ACCOUNT,
                "us-east-1",
                "2024-04-30T12:05:00Z",
                "h",
                download(ACCOUNT, "us-east-1", "2024-04-30T12:01:00Z", "sha256:before"));
        Path out = dir.resolve("out");

        CliTest.Run r =
                CliTest.run(
                        "replay",
                        "--endpoint",
                        AWS.endpoint(),
                        "--account",
                        ACCOUNT,
                        "--region",
                        "us-east-1",
                        "--from",
                        "2024-05-01",
                        "--to",
                        "2024-05-02",
                        "--parallelism",
                        "2",
                        "--out",
                        out.toString(),
                        "s3://" + BUCKET + "/AWSLogs/");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("4 files");
        assertThat(Files.readAllLines(out.resolve("findings.jsonl")))
                .extracting(l -> Json.tree(l).path("details").path("layerDigest").asText())
                .containsExactlyInAnyOrder("sha256:1", "sha256:2", "sha256:3");
        List<JsonNode> dead =
                Files.readAllLines(out.resolve("dead-letter.jsonl")).stream()
                        .map(Json::tree)
                        .toList();
        assertThat(dead)
                .extracting(d -> d.path("source").asText() + " " + d.path("reason").asText())
                .containsExactlyInAnyOrder(
                        "s3://trail/"
                                + denied
                                + " cannot read file: AccessDenied (HTTP 403): Access Denied",
                        "s3://trail/"
                                + failing
                                + " cannot read file: InternalError (HTTP 500): "
                                + "We encountered an internal error. Please try again.");
        JsonNode summary = Json.tree(Files.readString(out.resolve("summary.json")));
        assertThat(summary.path("eventsRead").asLong()).isEqualTo(4);
        assertThat(summary.path("deadLettered").asLong()).isEqualTo(2);
        // only the files in scope were fetched, each by the job (the listing fetched nothing)
        assertThat(FakeS3.gets(AWS.server())).containsOnly(b, c, denied, failing);
    }

    @Test
    void aPrefixThatCannotBeListedIsOneLineError() {
        S3.failList(BUCKET, "AWSLogs/", 403);
        CliTest.Run r =
                CliTest.run(
                        "replay",
                        "--endpoint",
                        AWS.endpoint(),
                        "--out",
                        dir.toString(),
                        "s3://" + BUCKET + "/AWSLogs/");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .startsWith(
                        "error: cannot list s3://trail/AWSLogs/: AccessDenied (HTTP 403): Access Denied")
                .doesNotContain("\tat ");
    }
}
