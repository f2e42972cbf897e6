package io.layerwatch.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.event.decode.PayloadDecoder;
import io.layerwatch.pipeline.InputScope;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.FakeS3;
import io.layerwatch.testing.TrailFiles;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Listing and reading s3:// inputs with the real SDK client against a fake S3 on WireMock. */
class S3InputsIT {
    static final FakeS3 S3 = new FakeS3();

    @RegisterExtension static final FakeAws AWS = new FakeAws(S3);

    static final long MAX = PayloadDecoder.DEFAULT_MAX_INFLATED_BYTES;
    static final String BUCKET = "trail";
    static final String ACCOUNT = "111122223333";
    static final String REGION = "us-east-1";
    static final InputScope MAY_1 =
            new InputScope(
                    Instant.parse("2024-05-01T00:00:00Z"),
                    Instant.parse("2024-05-02T00:00:00Z"),
                    Set.of(ACCOUNT),
                    Set.of(REGION));

    static String key(String account, String region, String delivered, String unique) {
        return TrailFiles.key(account, region, Instant.parse(delivered), unique);
    }

    static String uri(String key) {
        return "s3://" + BUCKET + "/" + key;
    }

    S3Inputs s3() {
        return new S3Inputs(AWS.endpoint());
    }

    @BeforeEach
    void trail() {
        S3.install(AWS.server());
        for (String key :
                List.of(
                        key(ACCOUNT, REGION, "2024-04-30T23:55:00Z", "a"),
                        key(ACCOUNT, REGION, "2024-05-01T09:00:00Z", "b"),
                        key(ACCOUNT, REGION, "2024-05-01T09:05:00Z", "c"),
                        key(ACCOUNT, REGION, "2024-05-01T12:00:00Z", "d"),
                        key(ACCOUNT, REGION, "2024-05-02T01:00:00Z", "e"),
                        key(ACCOUNT, REGION, "2024-05-03T01:00:00Z", "f"),
                        key(ACCOUNT, "eu-west-1", "2024-05-01T09:00:00Z", "g"),
                        key("444455556666", REGION, "2024-05-01T09:00:00Z", "h"),
                        key("777788889999", REGION, "2024-05-01T09:00:00Z", "i"),
                        "AWSLogs/"
                                + ACCOUNT
                                + "/CloudTrail-Digest/us-east-1/2024/05/01/"
                                + ACCOUNT
                                + "_CloudTrail-Digest_us-east-1_trail_us-east-1_20240501T0900Z.json.gz")) {
            S3.put(BUCKET, key, TrailFiles.logFile(List.of()));
        }
    }

    @Test
    void listsOnlyTheAccountsRegionsAndDaysInScopeWithoutReading() throws Exception {
        List<InputFile> files =
                InputFiles.expand(List.of("s3://" + BUCKET + "/"), MAY_1, null, s3());

        assertThat(files)
                .extracting(InputFile::location)
                .containsExactly(
                        uri(key(ACCOUNT, REGION, "2024-05-01T09:00:00Z", "b")),
                        uri(key(ACCOUNT, REGION, "2024-05-01T09:05:00Z", "c")),
                        uri(key(ACCOUNT, REGION, "2024-05-01T12:00:00Z", "d")),
                        uri(
                                key(
                                        ACCOUNT,
                                        REGION,
                                        "2024-05-02T01:00:00Z",
                                        "e"))); // within the delivery slack after --to
        assertThat(files.get(0).deliveredAt())
                .isEqualTo(Instant.parse("2024-05-01T09:00:00Z").toEpochMilli());
        assertThat(files.get(0).size()).isEqualTo(TrailFiles.logFile(List.of()).length);

        List<String> listings = FakeS3.listings(AWS.server());
        String region = "AWSLogs/" + ACCOUNT + "/CloudTrail/us-east-1/";
        assertThat(listings)
                .containsExactly(
                        "", // the bucket root, folder by folder
                        "AWSLogs/", // accounts, first page: 111122223333 (walked at once),
                        // 444455556666 (out of scope)
                        "AWSLogs/"
                                + ACCOUNT
                                + "/CloudTrail/", // regions (the account's folder itself is not
                        // listed)
                        // one listing from the first day, three pages; stops at the first key past
                        // the last day
                        region + " after " + region + "2024/05/01/",
                        region + " after " + region + "2024/05/01/",
                        region + " after " + region + "2024/05/01/",
                        "AWSLogs/"); // accounts, second page: 777788889999 (out of scope)
        assertThat(FakeS3.gets(AWS.server())).isEmpty();
    }

    @Test
    void withoutARangeEveryDayOfEveryRegionIsListed() throws Exception {
        List<InputFile> files =
                InputFiles.expand(
                        List.of("s3://" + BUCKET + "/AWSLogs/" + ACCOUNT + "/CloudTrail/"),
                        InputScope.ALL,
                        null,
                        s3());
        assertThat(files)
                .extracting(f -> f.location().substring(f.location().lastIndexOf('_') + 1))
                // b and g share a stamp: by location
                .containsExactly(
                        "a.json.gz",
                        "g.json.gz",
                        "b.json.gz",
                        "c.json.gz",
                        "d.json.gz",
                        "e.json.gz",
                        "f.json.gz");
    }

    @Test
    void prefixesOutsideTheLayoutAreListedAsTheyAre() throws Exception {
        S3.put(BUCKET, "exports/2024/one.jsonl", "{}".getBytes(StandardCharsets.UTF_8));
        S3.put(BUCKET, "exports/2024/two.jsonl", "{}".getBytes(StandardCharsets.UTF_8));
        S3.put(BUCKET, "exports/three.jsonl", "{}".getBytes(StandardCharsets.UTF_8));
        S3.put(BUCKET, "exports/.hidden", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(InputFiles.expand(List.of("s3://" + BUCKET + "/exports/"), MAY_1, null, s3()))
                .extracting(InputFile::location)
                .containsExactly(
                        uri("exports/2024/one.jsonl"),
                        uri("exports/2024/two.jsonl"),
                        uri("exports/three.jsonl"));
        assertThat(InputFiles.expand(List.of("s3://" + BUCKET + "/exports/t"), MAY_1, null, s3()))
                .extracting(InputFile::location)
                .containsExactly(uri("exports/three.jsonl"));
    }

    @Test
    void aDeniedListingIsOneClearError() {
        S3.failList(BUCKET, "AWSLogs/", 403);
        assertThatThrownBy(
                        () ->
                                InputFiles.expand(
                                        List.of("s3://" + BUCKET + "/AWSLogs/"), MAY_1, null, s3()))
                .hasMessage(
                        "cannot list s3://trail/AWSLogs/: AccessDenied (HTTP 403): Access Denied");
        assertThatThrownBy(() -> InputFiles.expand(List.of("s3:///AWSLogs/"), MAY_1, null, s3()))
                .hasMessageContaining("expected s3://bucket/prefix");
    }

    @Test
    void readsObjectsSayingWhyOneCannotBeRead() throws Exception {
        String b = key(ACCOUNT, REGION, "2024-05-01T09:00:00Z", "b");
        String c = key(ACCOUNT, REGION, "2024-05-01T09:05:00Z", "c");
        String d = key(ACCOUNT, REGION, "2024-05-01T12:00:00Z", "d");
        S3.failGet(BUCKET, c, 403);
        S3.failGet(BUCKET, d, 500);
        try (S3Inputs s3 = s3()) {
            assertThat(InputFiles.read(uri(b), s3, MAX)).isEqualTo(TrailFiles.logFile(List.of()));
            assertThatThrownBy(() -> s3.read(uri(c), MAX))
                    .hasMessage("AccessDenied (HTTP 403): Access Denied");
            assertThatThrownBy(() -> s3.read(uri(d), MAX))
                    .hasMessageStartingWith("InternalError (HTTP 500)");
            assertThatThrownBy(() -> s3.read(uri(b), 10))
                    .hasMessageEndingWith(" bytes, larger than input.maxInflatedBytes (10 bytes)");
        }
        // 500 is retried with backoff; 403 is not
        assertThat(FakeS3.gets(AWS.server())).filteredOn(c::equals).hasSize(1);
        assertThat(FakeS3.gets(AWS.server())).filteredOn(d::equals).hasSize(S3Inputs.MAX_ATTEMPTS);
    }

    @Test
    void theEndpointFromTheEnvironmentIsHonouredWithPathStyleAddressing() throws Exception {
        // AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL as system properties (the SDK reads both the same
        // way)
        String saved = System.getProperty("aws.endpointUrlS3");
        System.setProperty("aws.endpointUrlS3", AWS.endpoint());
        try {
            List<InputFile> files =
                    InputFiles.expand(
                            List.of("s3://" + BUCKET + "/AWSLogs/"),
                            MAY_1,
                            null,
                            new S3Inputs(null));
            assertThat(files).hasSize(4);
        } finally {
            if (saved == null) {
                System.clearProperty("aws.endpointUrlS3");
            } else {
                System.setProperty("aws.endpointUrlS3", saved);
            }
        }
    }
}
