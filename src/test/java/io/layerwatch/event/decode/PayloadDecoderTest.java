package io.layerwatch.event.decode;

import static io.layerwatch.testing.CollectingOutput.decode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.CloudWatchLogsSenders;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.EventKind;
import io.layerwatch.event.Principal;
import io.layerwatch.testing.CollectingOutput;
import io.layerwatch.testing.TrailFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PayloadDecoder} on every input shape, built from the real samples in {@code
 * src/test/resources/samples} (provenance in its SOURCES.md).
 */
public class PayloadDecoderTest {

    /**
     * The real samples and the ways the tests wrap them; shared with {@link DecoderPropertyTest}.
     */
    public static final class Samples {
        public static final ObjectMapper MAPPER = new ObjectMapper();

        public static final String PULL = "/samples/aws-docs/cloudtrail-image-pull-action.json";
        public static final String PUSH = "/samples/aws-docs/cloudtrail-image-push-action.json";
        public static final String CREATE_REPOSITORY =
                "/samples/aws-docs/cloudtrail-create-repository-action.json";
        public static final String KMS_CREATE_GRANT =
                "/samples/aws-docs/cloudtrail-aws-kms-creategrant-api-action-when-creating-an-amazon-ecr-repository.json";
        public static final String LIFECYCLE =
                "/samples/aws-docs/cloudtrail-image-lifecycle-policy-action.json";
        public static final String BASIC_SCAN =
                "/samples/aws-docs/eventbridge-a-completed-image-scan-basic-scanning.json";
        public static final String IMAGE_PUSHED =
                "/samples/aws-docs/eventbridge-a-completed-image-push.json";
        public static final String IMAGE_DELETED =
                "/samples/aws-docs/eventbridge-an-image-deletion.json";
        public static final String SCAN_RESOURCE_CHANGE =
                "/samples/aws-docs/"
                        + "eventbridge-a-change-notification-on-a-resource-with-enhanced-scanning-enabled-enhanced-scanning.json";

        /** Inspector service-linked AssumedRole, IAM user, a throttled call. */
        public static final String INVICTUS_INSPECTOR =
                "/samples/invictus/218007301253_CloudTrail_us-east-1_20230710T1210Z_2ru8PrDKZmsO3yWC.json";

        /** AWSService (rolesanywhere) and IAM user records. */
        public static final String INVICTUS_SERVICE =
                "/samples/invictus/218007301253_CloudTrail_us-east-1_20230710T1230Z_soULWstxp7lqsODg.json";

        /** IAM user (one AccessDenied) and an EC2 instance-profile AssumedRole. */
        public static final String INVICTUS_STRATUS =
                "/samples/invictus/218007301253_CloudTrail_us-east-1_20230710T1210Z_bXGZYqBeCCsqWq1U.json";

        public static final List<String> ALL =
                List.of(
                        PULL,
                        PUSH,
                        CREATE_REPOSITORY,
                        KMS_CREATE_GRANT,
                        LIFECYCLE,
                        BASIC_SCAN,
                        IMAGE_PUSHED,
                        IMAGE_DELETED,
                        SCAN_RESOURCE_CHANGE,
                        INVICTUS_INSPECTOR,
                        INVICTUS_SERVICE,
                        INVICTUS_STRATUS);

        private Samples() {}

        public static byte[] bytes(String resource) {
            try (InputStream in = PayloadDecoderTest.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalArgumentException("no test resource " + resource);
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A sample parsed; a fresh copy each call, so tests may edit it. */
        public static ObjectNode json(String resource) {
            return (ObjectNode) parse(bytes(resource));
        }

        /** A sample as one line of JSON. */
        public static String oneLine(String resource) {
            return json(resource).toString();
        }

        /** The records of an S3 log-file sample. */
        public static List<JsonNode> records(String resource) {
            List<JsonNode> records = new ArrayList<>();
            json(resource).get("Records").forEach(records::add);
            return records;
        }

        public static JsonNode parse(byte[] bytes) {
            try {
                return MAPPER.readTree(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public static byte[] gzip(byte[] data) {
            return TrailFiles.gzip(data);
        }

        public static byte[] utf8(String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }

        public static final String CWL_OWNER = "123456789012";
        public static final String CWL_LOG_GROUP = "aws-cloudtrail-logs-123456789012";

        /**
         * A CloudWatch Logs subscription payload (gzipped, as Kinesis/Firehose deliver it) carrying
         * {@code messages}.
         */
        public static byte[] cloudWatchLogs(String messageType, String... messages) {
            return gzip(utf8(cloudWatchLogsJson(CWL_OWNER, CWL_LOG_GROUP, messageType, messages)));
        }

        /**
         * A CloudWatch Logs subscription message from {@code owner}'s {@code logGroup}, as JSON
         * text.
         */
        public static String cloudWatchLogsJson(
                String owner, String logGroup, String messageType, String... messages) {
            ObjectNode payload =
                    MAPPER.createObjectNode()
                            .put("messageType", messageType)
                            .put("owner", owner)
                            .put("logGroup", logGroup)
                            .put("logStream", owner + "_CloudTrail_us-east-1");
            payload.putArray("subscriptionFilters").add("layerwatch");
            ArrayNode logEvents = payload.putArray("logEvents");
            for (int i = 0; i < messages.length; i++) {
                logEvents
                        .addObject()
                        .put("id", "3719539043592318976" + i)
                        .put("timestamp", 1688990525000L + i)
                        .put("message", messages[i]);
            }
            return payload.toString();
        }

        /** An EventBridge envelope as EventBridge delivers CloudTrail records. */
        public static ObjectNode eventBridge(String detailType, JsonNode detail) {
            ObjectNode envelope =
                    MAPPER.createObjectNode()
                            .put("version", "0")
                            .put("id", "6f2e1a3c-0000-4d7e-9c1b-envelope0001")
                            .put("detail-type", detailType)
                            .put("source", "aws.ecr")
                            .put("account", "123456789012")
                            .put("time", "2019-04-15T17:23:21Z")
                            .put("region", "us-east-2");
            envelope.putArray("resources");
            envelope.set("detail", detail);
            return envelope;
        }
    }

    private static long millis(String isoInstant) {
        return Instant.parse(isoInstant).toEpochMilli();
    }

    private static List<String> eventIdsOf(List<JsonNode> records) {
        return records.stream().map(r -> r.get("eventID").asText()).toList();
    }

    private static List<String> eventIds(CollectingOutput out) {
        return out.events().stream().map(EcrEvent::eventId).toList();
    }

    // ---- raw CloudTrail records
    // --------------------------------------------------------------------------------

    @Test
    void compactDropsWhitespaceOutsideStringsOnly() throws IOException {
        String[][] cases = {
            {"{\"a\":\"x y\",\"b\":[1,2]}", "{\"a\":\"x y\",\"b\":[1,2]}"},
            {"{ \"a\" : \"x  y\" ,\n\t\"b\":[ 1 , 2 ] }\r\n", "{\"a\":\"x  y\",\"b\":[1,2]}"},
            {"{\"a\\\" \":\" \\\\\"  ,  \"b\" : 2}", "{\"a\\\" \":\" \\\\\",\"b\":2}"},
        };
        ObjectMapper mapper = new ObjectMapper();
        for (String[] c : cases) {
            byte[] framed = ("  " + c[0] + "  ").getBytes(StandardCharsets.UTF_8);
            byte[] out = JsonBytes.compact(framed, 2, framed.length - 2);
            assertThat(new String(out, StandardCharsets.UTF_8)).as(c[0]).isEqualTo(c[1]);
            assertThat(out)
                    .as("as Jackson writes its tree")
                    .isEqualTo(mapper.writeValueAsBytes(mapper.readTree(c[0])));
        }
    }

    @Test
    void rawCloudTrailPullRecord() {
        EcrEvent e = decode(Samples.bytes(Samples.PULL)).onlyEvent();

        assertThat(e.eventId()).isEqualTo("c84f5880-c2f9-4585-9757-28fa5c1065df");
        assertThat(e.eventTime()).isEqualTo(millis("2019-04-15T17:23:20Z"));
        assertThat(e.kind()).isEqualTo(EventKind.API_CALL);
        assertThat(e.eventSource()).isEqualTo("ecr.amazonaws.com");
        assertThat(e.eventName()).isEqualTo("BatchGetImage");
        assertThat(e.is("BatchGetImage")).isTrue();
        assertThat(e.region()).isEqualTo("us-east-2");
        assertThat(e.accountId()).isEqualTo("123456789012");
        assertThat(e.registryId()).isEqualTo("123456789012");
        assertThat(e.repositoryName()).isEqualTo("testrepo");
        assertThat(e.repositoryKey()).isEqualTo("123456789012:us-east-2:testrepo");
        assertThat(e.imageTags()).isEqualTo("latest");
        assertThat(e.imageDigest()).isNull();
        assertThat(e.sourceIp()).isEqualTo("203.0.113.12");
        assertThat(e.userAgent()).isEqualTo("console.amazonaws.com");
        assertThat(e.failed()).isFalse();
        assertThat(e.crossAccount()).isFalse();
        // The documentation sample gives this IAM user an sts ARN; it is kept as the key, not
        // "repaired".
        assertThat(e.principal())
                .isEqualTo(
                        new Principal(
                                "arn:aws:sts::123456789012:user/Mary_Major",
                                Principal.TYPE_IAM_USER,
                                "Mary_Major",
                                "123456789012",
                                "AKIAIOSFODNN7EXAMPLE",
                                null,
                                null));
        assertThat(Samples.parse(Samples.utf8(e.raw()))).isEqualTo(Samples.json(Samples.PULL));
    }

    @Test
    void gzipOfSeveralMembersInflatesWhole() throws IOException {
        // The trailer's size is the last member's: the output outgrows that first guess.
        byte[] big = Samples.utf8("{\"a\":\"" + "x".repeat(200_000) + "\"}\n");
        byte[] small = Samples.utf8("{\"b\":1}\n");
        ByteArrayOutputStream members = new ByteArrayOutputStream();
        members.write(Samples.gzip(big));
        members.write(Samples.gzip(small));
        byte[] gz = members.toByteArray();
        byte[] whole = new byte[big.length + small.length];
        System.arraycopy(big, 0, whole, 0, big.length);
        System.arraycopy(small, 0, whole, big.length, small.length);
        assertThat(Gzip.gunzip(gz, 0, gz.length)).isEqualTo(whole);
        assertThat(Gzip.gunzip(Samples.gzip(small), 0, Samples.gzip(small).length))
                .isEqualTo(small);
    }

    @Test
    void logFileRecordsAreReadFromTheTokenStreamKeepingTheirOwnText() {
        String file =
                "{\"Records\": [\n  {\"eventVersion\": \"1.08\", \"eventID\": \"e-1\",\n"
                        + "   \"eventTime\": \"2024-05-01T12:00:00Z\", \"eventSource\": \"ecr.amazonaws.com\",\n"
                        + "   \"eventName\": \"GetDownloadUrlForLayer\", \"userAgent\": \"caf\\u00e9 \uD83D\uDE80\",\n"
                        + "   \"requestParameters\": {\"repositoryName\": \"app\", \"layerDigest\": \"sha256:1\"},\n"
                        + "   \"responseElements\": {\"note\": \"a  b\\\" c\"}},\n"
                        + "  {\"eventID\": \"e-2\", \"eventTime\": \"2024-05-01T12:00:01Z\", \"eventSource\": \"ecr.amazonaws.com\","
                        + " \"eventName\": \"GetAuthorizationToken\", \"requestParameters\": null}]}";
        List<EcrEvent> events = decode(file).events();

        assertThat(events)
                .extracting(EcrEvent::eventId, EcrEvent::repositoryName, EcrEvent::layerDigest)
                .containsExactly(tuple("e-1", "app", "sha256:1"), tuple("e-2", null, null));
        assertThat(events.get(0).userAgent()).isEqualTo("caf\u00e9 \uD83D\uDE80");
        // The record's own text without the whitespace between tokens: escapes and strings as
        // written (Jackson would write the tree with the rocket escaped and the e-acute unescaped).
        assertThat(events.get(0).raw())
                .isEqualTo(
                        "{\"eventVersion\":\"1.08\",\"eventID\":\"e-1\","
                                + "\"eventTime\":\"2024-05-01T12:00:00Z\",\"eventSource\":\"ecr.amazonaws.com\","
                                + "\"eventName\":\"GetDownloadUrlForLayer\",\"userAgent\":\"caf\\u00e9 \uD83D\uDE80\","
                                + "\"requestParameters\":{\"repositoryName\":\"app\",\"layerDigest\":\"sha256:1\"},"
                                + "\"responseElements\":{\"note\":\"a  b\\\" c\"}}");
    }

    @Test
    void logFileRecordsTheStreamCannotVouchForGoThroughTheTree() {
        String record =
                "{\"eventTime\":\"2024-05-01T12:00:00Z\",\"eventSource\":\"ecr.amazonaws.com\",";
        List<EcrEvent> events =
                decode(
                                "{\"Records\":["
                                        + record
                                        + "\"eventID\":\"dup\",\"eventName\":\"First\",\"eventName\":\"Last\"},"
                                        + record
                                        + "\"eventID\":\"num\",\"eventName\":42},"
                                        + record
                                        + "\"eventName\":\"NoId\"}]}")
                        .events();

        // A repeated field: the last one, as in the tree; a number: its text; no eventID: the name
        // UUID of the record as Jackson writes it, the same whichever way the record came in.
        assertThat(events).extracting(EcrEvent::eventName).containsExactly("Last", "42", "NoId");
        String noId = record + "\"eventName\":\"NoId\"}";
        assertThat(events.get(2).eventId())
                .isEqualTo(
                        UUID.nameUUIDFromBytes(
                                        Samples.utf8(Samples.parse(Samples.utf8(noId)).toString()))
                                .toString());
        assertThat(events.get(2).raw()).isEqualTo(noId);
    }

    @Test
    void rawIsTheCompactJsonOfTheRecordSoIdsDerivedFromItStayStable() {
        for (String resource : Samples.ALL) {
            List<JsonNode> records =
                    resource.contains("invictus")
                            ? Samples.records(resource)
                            : List.of(Samples.json(resource));
            List<EcrEvent> events = decode(Samples.bytes(resource)).events();
            for (int i = 0; i < events.size(); i++) {
                JsonNode record = records.get(i);
                JsonNode expected =
                        events.get(i).kind() == EventKind.API_CALL && record.has("detail")
                                ? record.get("detail")
                                : record;
                assertThat(events.get(i).raw()).as(resource).isEqualTo(expected.toString());
            }
        }
        // A record without an eventID gets the name UUID of that text.
        String bare =
                "{\"eventTime\":\"2024-05-01T12:00:00Z\",\"eventSource\":\"ecr.amazonaws.com\",\"eventName\":\"X\"}";
        assertThat(decode(bare).onlyEvent().eventId())
                .isEqualTo(
                        UUID.nameUUIDFromBytes(
                                        Samples.utf8(Samples.parse(Samples.utf8(bare)).toString()))
                                .toString());
    }

    @Test
    void rawCloudTrailPushRecord() {
        EcrEvent e = decode(Samples.bytes(Samples.PUSH)).onlyEvent();

        assertThat(e.eventId()).isEqualTo("2bfd4ee2-2178-4a82-a27d-b12939923f0f");
        assertThat(e.eventTime()).isEqualTo(millis("2019-04-15T16:45:00Z"));
        assertThat(e.is("PutImage")).isTrue();
        assertThat(e.region()).isEqualTo("us-east-2");
        assertThat(e.registryId()).isEqualTo("123456789012");
        assertThat(e.repositoryName()).isEqualTo("testrepo");
        assertThat(e.imageTags()).isEqualTo("latest");
        // PutImage's digest is only in responseElements.image.imageId; the mapper reads
        // requestParameters.
        assertThat(e.imageDigest()).isNull();
        assertThat(e.principal().arn()).isEqualTo("arn:aws:sts::123456789012:user/Mary_Major");
        assertThat(e.principal().accessKeyId()).isEqualTo("AKIAIOSFODNN7EXAMPLE");
    }

    @Test
    void rawCloudTrailCreateRepositoryKeysTheAssumedRoleByItsRole() {
        EcrEvent e = decode(Samples.bytes(Samples.CREATE_REPOSITORY)).onlyEvent();

        assertThat(e.is("CreateRepository")).isTrue();
        assertThat(e.eventTime()).isEqualTo(millis("2018-07-11T22:17:43Z"));
        assertThat(e.repositoryKey()).isEqualTo("123456789012:us-east-2:testrepo");
        // The sample's session ARN is not an assumed-role ARN, so there is no session name to take.
        assertThat(e.principal())
                .isEqualTo(
                        new Principal(
                                "arn:aws:iam::123456789012:role/Admin",
                                Principal.TYPE_ASSUMED_ROLE,
                                "Admin",
                                "123456789012",
                                "AKIAIOSFODNN7EXAMPLE",
                                null,
                                "arn:aws:sts::123456789012:user/Mary_Major"));
    }

    @Test
    void rawCloudTrailRecordOfAnotherServiceIsDecodedButIsNoEcrCall() {
        EcrEvent e = decode(Samples.bytes(Samples.KMS_CREATE_GRANT)).onlyEvent();

        assertThat(e.eventSource()).isEqualTo("kms.amazonaws.com");
        assertThat(e.eventName()).isEqualTo("CreateGrant");
        assertThat(e.isApiCall()).isTrue();
        assertThat(e.isEcrApiCall()).isFalse();
        assertThat(e.is("CreateGrant")).isFalse();
        assertThat(e.region()).isEqualTo("us-west-2");
        assertThat(e.repositoryName()).isNull();
        // An IAM user acting through the console: invokedBy "AWS Internal" does not make it a
        // service.
        assertThat(e.principal().type()).isEqualTo(Principal.TYPE_IAM_USER);
        assertThat(e.principal().arn()).isEqualTo("arn:aws:iam::123456789012:user/Mary_Major");
    }

    @Test
    void rawCloudTrailServiceEventWithoutIdentityType() {
        EcrEvent e = decode(Samples.bytes(Samples.LIFECYCLE)).onlyEvent();

        assertThat(e.eventId()).isEqualTo("9354dd7f-9aac-4e9d-956d-12561a4923aa");
        assertThat(e.is("PolicyExecutionEvent")).isTrue();
        assertThat(e.eventTime()).isEqualTo(millis("2020-03-12T20:22:12Z"));
        assertThat(e.accountId()).isEqualTo("123456789012");
        assertThat(e.principal())
                .isEqualTo(
                        new Principal(
                                "service:AWS Internal",
                                Principal.TYPE_AWS_SERVICE,
                                "AWS Internal",
                                null,
                                null,
                                null,
                                null));
        assertThat(e.crossAccount()).isFalse();
        // The repository of a lifecycle expiry is in serviceEventDetails, which the mapper does not
        // read.
        assertThat(e.repositoryName()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        Samples.PULL + ", API_CALL, c84f5880-c2f9-4585-9757-28fa5c1065df, BatchGetImage",
        Samples.PUSH + ", API_CALL, 2bfd4ee2-2178-4a82-a27d-b12939923f0f, PutImage",
        Samples.CREATE_REPOSITORY + ", API_CALL, e3c6f4ce-EXAMPLE, CreateRepository",
        Samples.KMS_CREATE_GRANT + ", API_CALL, af4c9573-c56a-4886-baca-a77526544469, CreateGrant",
        Samples.LIFECYCLE
                + ", API_CALL, 9354dd7f-9aac-4e9d-956d-12561a4923aa, PolicyExecutionEvent",
        Samples.BASIC_SCAN + ", IMAGE_SCAN, 85fc3613-e913-7fc4-a80c-a3753e4aa9ae, ECR Image Scan",
        Samples.IMAGE_PUSHED
                + ", IMAGE_ACTION, 13cde686-328b-6117-af20-0e5566167482, ECR Image Action",
        Samples.IMAGE_DELETED
                + ", IMAGE_ACTION, dd3b46cb-2c74-f49e-393b-28286b67279d, ECR Image Action",
        Samples.SCAN_RESOURCE_CHANGE
                + ", OTHER, 0c18352a-a4d4-6853-ef53-0ab8638973bf, ECR Scan Resource Change",
    })
    void everyAwsDocsSampleIsOneEventOfItsKind(
            String resource, EventKind kind, String eventId, String eventName) {
        EcrEvent e = decode(Samples.bytes(resource)).onlyEvent();

        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.eventId()).isEqualTo(eventId);
        assertThat(e.eventName()).isEqualTo(eventName);
    }

    // ---- EventBridge
    // -------------------------------------------------------------------------------------------

    @Test
    void eventBridgeBasicScan() {
        EcrEvent e = decode(Samples.bytes(Samples.BASIC_SCAN)).onlyEvent();

        assertThat(e.kind()).isEqualTo(EventKind.IMAGE_SCAN);
        assertThat(e.eventId()).isEqualTo("85fc3613-e913-7fc4-a80c-a3753e4aa9ae");
        assertThat(e.eventTime()).isEqualTo(millis("2019-10-29T02:36:48Z"));
        assertThat(e.eventSource()).isEqualTo("aws.ecr");
        assertThat(e.region()).isEqualTo("us-east-1");
        assertThat(e.accountId()).isEqualTo("123456789012");
        assertThat(e.registryId()).isEqualTo("123456789012");
        assertThat(e.repositoryName()).isEqualTo("my-repository-name");
        assertThat(e.imageDigest())
                .isEqualTo("sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234");
        assertThat(e.imageTags()).as("empty image-tags").isNull();
        assertThat(e.scanStatus()).isEqualTo("COMPLETE");
        assertThat(e.criticalCount()).isEqualTo(10);
        assertThat(e.highCount()).as("no HIGH in the counts").isZero();
        assertThat(e.principal().arn()).isEqualTo("service:aws.ecr");
        assertThat(e.principal().isAwsService()).isTrue();
        assertThat(e.isApiCall()).isFalse();
    }

    @Test
    void eventBridgeInspectorScanTakesRegistryAndRepositoryFromTheRepositoryArn() {
        JsonNode detail =
                Samples.parse(
                        Samples.utf8(
                                """
                {"scan-status": "INITIAL_SCAN_COMPLETE",
                 "repository-name": "arn:aws:ecr:us-east-2:123456789012:repository/amazon/amazon-ecs-sample",
                 "finding-severity-counts": {"CRITICAL": 7, "HIGH": 61, "MEDIUM": 62, "TOTAL": 158},
                 "image-digest": "sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e59e3a8e4914",
                 "image-tags": ["latest"]}
                """));
        ObjectNode envelope =
                Samples.eventBridge("Inspector2 Scan", detail)
                        .put("source", "aws.inspector2")
                        .put("account", "111122223333")
                        .put("time", "2021-12-03T18:03:16Z");
        envelope.remove("region");

        EcrEvent e = decode(envelope.toString()).onlyEvent();

        assertThat(e.kind()).isEqualTo(EventKind.IMAGE_SCAN);
        assertThat(e.eventTime()).isEqualTo(millis("2021-12-03T18:03:16Z"));
        assertThat(e.repositoryName()).isEqualTo("amazon/amazon-ecs-sample");
        assertThat(e.registryId())
                .as("from the ARN, not the envelope account")
                .isEqualTo("123456789012");
        assertThat(e.accountId()).isEqualTo("111122223333");
        assertThat(e.region()).as("from the ARN when the envelope has none").isEqualTo("us-east-2");
        assertThat(e.scanStatus()).isEqualTo("INITIAL_SCAN_COMPLETE");
        assertThat(e.criticalCount()).isEqualTo(7);
        assertThat(e.highCount()).isEqualTo(61);
        assertThat(e.imageDigest())
                .isEqualTo(
                        "sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e59e3a8e4914");
        assertThat(e.imageTags()).isEqualTo("latest");
        assertThat(e.principal().arn()).isEqualTo("service:aws.inspector2");
    }

    @Test
    void eventBridgeImageAction() {
        EcrEvent e = decode(Samples.bytes(Samples.IMAGE_PUSHED)).onlyEvent();

        assertThat(e.kind()).isEqualTo(EventKind.IMAGE_ACTION);
        assertThat(e.eventId()).isEqualTo("13cde686-328b-6117-af20-0e5566167482");
        assertThat(e.eventTime()).isEqualTo(millis("2019-11-16T01:54:34Z"));
        assertThat(e.region()).isEqualTo("us-west-2");
        assertThat(e.registryId()).isEqualTo("123456789012");
        assertThat(e.repositoryKey()).isEqualTo("123456789012:us-west-2:my-repository-name");
        assertThat(e.imageDigest())
                .isEqualTo("sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234");
        assertThat(e.imageTags()).isEqualTo("latest");
        assertThat(e.scanStatus()).as("the action's result").isEqualTo("SUCCESS");
        assertThat(e.principal().arn()).isEqualTo("service:aws.ecr");
    }

    @Test
    void eventBridgeEnvelopeAroundTheRealPullRecordDecodesLikeTheRawRecord() {
        EcrEvent raw = decode(Samples.bytes(Samples.PULL)).onlyEvent();
        ObjectNode envelope =
                Samples.eventBridge("AWS API Call via CloudTrail", Samples.json(Samples.PULL));

        assertThat(decode(envelope.toString()).onlyEvent()).isEqualTo(raw);
    }

    @Test
    void eventBridgeEnvelopeSuppliesRegionAndAccountTheRecordLacks() {
        ObjectNode record = Samples.json(Samples.PULL);
        record.remove(List.of("awsRegion", "recipientAccountId"));
        record.withObject("/requestParameters").remove("registryId");
        ObjectNode envelope =
                Samples.eventBridge("AWS API Call via CloudTrail", record)
                        .put("region", "eu-west-1")
                        .put("account", "444455556666");

        EcrEvent e = decode(envelope.toString()).onlyEvent();

        assertThat(e.eventId()).isEqualTo("c84f5880-c2f9-4585-9757-28fa5c1065df");
        assertThat(e.region()).isEqualTo("eu-west-1");
        assertThat(e.accountId()).isEqualTo("444455556666");
        assertThat(e.registryId()).isEqualTo("444455556666");
        assertThat(e.crossAccount()).as("caller 123456789012 in account 444455556666").isTrue();
    }

    @Test
    void eventBridgeEventWithoutSourceHasAnUnknownServiceAsCaller() {
        ObjectNode envelope = (ObjectNode) Samples.json(Samples.IMAGE_DELETED).without("source");

        EcrEvent e = decode(envelope.toString()).onlyEvent();

        assertThat(e.principal())
                .isEqualTo(
                        new Principal(
                                "service:unknown",
                                Principal.TYPE_AWS_SERVICE,
                                "unknown",
                                null,
                                null,
                                null,
                                null));
        assertThat(e.eventSource()).isNull();
    }

    @Test
    void eventBridgeEnvelopeWithoutTimeIsADeadLetter() {
        ObjectNode envelope = (ObjectNode) Samples.json(Samples.IMAGE_PUSHED).without("time");

        DeadLetter dl = decode(envelope.toString()).onlyDeadLetter();

        assertThat(dl.reason()).isEqualTo("missing time");
        assertThat(Samples.parse(Samples.utf8(dl.payload()))).isEqualTo(envelope);
    }

    // ---- CloudTrail log files
    // ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                Samples.INVICTUS_INSPECTOR,
                Samples.INVICTUS_SERVICE,
                Samples.INVICTUS_STRATUS
            })
    void cloudTrailLogFileYieldsEveryRecordInOrder(String resource) {
        CollectingOutput out = decode(Samples.bytes(resource));

        assertThat(out.deadLetters()).isEmpty();
        assertThat(eventIds(out)).isEqualTo(eventIdsOf(Samples.records(resource)));
        // a session key's first sighting in another service's record is its origin, once per key
        assertThat(out.origins())
                .allSatisfy(
                        e -> {
                            assertThat(e.eventSource()).isNotEqualTo(EcrEvent.ECR_SOURCE);
                            assertThat(e.principal().accessKeyId()).startsWith("ASIA");
                        })
                .extracting(e -> e.principal().accessKeyId())
                .doesNotHaveDuplicates();
        assertThat(out.events())
                .allSatisfy(
                        e -> {
                            assertThat(e.kind()).isIn(EventKind.API_CALL, EventKind.SESSION_ORIGIN);
                            assertThat(e.accountId()).isEqualTo("123837392027");
                            assertThat(e.region()).isEqualTo("us-east-1");
                            assertThat(e.crossAccount()).isFalse();
                        });
    }

    @Test
    void cloudTrailLogFileFieldsOfRealRecords() {
        List<EcrEvent> events = decode(Samples.bytes(Samples.INVICTUS_INSPECTOR)).events();

        EcrEvent inspector = events.get(0);
        assertThat(inspector.eventSource()).isEqualTo("ec2.amazonaws.com");
        assertThat(inspector.eventName()).isEqualTo("DescribeInstances");
        assertThat(inspector.eventTime()).isEqualTo(millis("2023-07-10T12:04:10Z"));
        assertThat(inspector.sourceIp()).isEqualTo("inspector2.amazonaws.com");
        assertThat(inspector.principal())
                .isEqualTo(
                        new Principal(
                                "arn:aws:iam::123837392027:role/aws-service-role/inspector2.amazonaws.com/AWSServiceRoleForAmazonInspector2",
                                Principal.TYPE_ASSUMED_ROLE,
                                "AWSServiceRoleForAmazonInspector2",
                                "123837392027",
                                null,
                                "MandoService364061179539770931",
                                "arn:aws:sts::123837392027:assumed-role/AWSServiceRoleForAmazonInspector2/MandoService364061179539770931"));

        EcrEvent throttled = events.get(2);
        assertThat(throttled.eventName()).isEqualTo("DeleteParameter");
        assertThat(throttled.errorCode()).isEqualTo("ThrottlingException");
        assertThat(throttled.failed()).isTrue();
        assertThat(throttled.sourceIp()).isEqualTo("192.168.10.20");
        assertThat(throttled.userAgent()).startsWith("APN/1.0 HashiCorp/1.0 Terraform/1.1.2");
        assertThat(throttled.principal())
                .isEqualTo(
                        new Principal(
                                "arn:aws:iam::123837392027:user/bert-jan",
                                Principal.TYPE_IAM_USER,
                                "bert-jan",
                                "123837392027",
                                "AKIATFQR7NSC8Q4X20BJ",
                                null,
                                null));

        EcrEvent service = decode(Samples.bytes(Samples.INVICTUS_SERVICE)).events().get(0);
        assertThat(service.eventName()).isEqualTo("AssumeRole");
        assertThat(service.vpcEndpointId()).isEqualTo("vpce-08931dbe1a3ad50e0");
        assertThat(service.principal().arn()).isEqualTo("service:rolesanywhere.amazonaws.com");
        assertThat(service.principal().isAwsService()).isTrue();
    }

    @Test
    void gzippedCloudTrailLogFileDecodesLikeThePlainOne() {
        byte[] plain = Samples.bytes(Samples.INVICTUS_STRATUS);

        CollectingOutput out = decode(Samples.gzip(plain));

        assertThat(out.events()).hasSize(6).isEqualTo(decode(plain).events());
        assertThat(out.deadLetters()).isEmpty();
    }

    @Test
    void emptyCloudTrailLogFileIsSkipped() {
        CollectingOutput out = decode("{\"Records\":[]}");

        assertThat(out.events()).isEmpty();
        assertThat(out.deadLetters()).isEmpty();
        assertThat(out.skips()).hasSize(1);
    }

    // ---- CloudWatch Logs subscription payloads
    // -----------------------------------------------------------------

    @Test
    void cloudWatchLogsDataMessageCarryingRealRecords() {
        JsonNode service = Samples.records(Samples.INVICTUS_SERVICE).get(0);
        byte[] payload =
                Samples.cloudWatchLogs(
                        "DATA_MESSAGE",
                        Samples.oneLine(Samples.PULL),
                        Samples.oneLine(Samples.PUSH),
                        service.toString());

        CollectingOutput out = decode(payload);

        assertThat(out.deadLetters()).isEmpty();
        assertThat(out.events())
                .containsExactly(
                        decode(Samples.bytes(Samples.PULL)).onlyEvent(),
                        decode(Samples.bytes(Samples.PUSH)).onlyEvent(),
                        decode(service.toString()).onlyEvent());
    }

    @Test
    void cloudWatchLogsBadMessageCostsOnlyThatLogEvent() {
        byte[] payload =
                Samples.cloudWatchLogs(
                        "DATA_MESSAGE",
                        Samples.oneLine(Samples.PULL),
                        "{\"eventVersion\": \"1.08\", \"eventTime\": ",
                        Samples.oneLine(Samples.PUSH));

        CollectingOutput out = decode(payload);

        assertThat(out.events())
                .extracting(EcrEvent::eventName)
                .containsExactly("BatchGetImage", "PutImage");
        assertThat(out.deadLetters())
                .singleElement()
                .satisfies(
                        dl -> {
                            assertThat(dl.reason()).startsWith("malformed JSON in log event");
                            assertThat(dl.source())
                                    .isEqualTo("test#aws-cloudtrail-logs-123456789012");
                            assertThat(dl.payload())
                                    .isEqualTo("{\"eventVersion\": \"1.08\", \"eventTime\": ");
                        });
    }

    @Test
    void cloudWatchLogsDataMessageWithoutLogEventsIsSkipped() {
        CollectingOutput out = decode(Samples.cloudWatchLogs("DATA_MESSAGE"));

        assertThat(out.skips()).containsExactly("CloudWatch Logs message without log events");
        assertThat(out.total()).isEqualTo(1);
    }

    @Test
    void cloudWatchLogsLogEventsThatAreNoArrayAreADeadLetter() {
        String message =
                "{\"messageType\":\"DATA_MESSAGE\",\"logGroup\":\"g\",\"logEvents\":{\"message\":\"x\"}}";

        DeadLetter dl = decode(message).onlyDeadLetter();

        assertThat(dl.reason()).isEqualTo("logEvents is not an array");
        assertThat(dl.source()).isEqualTo("test#g");
    }

    @Test
    void cloudWatchLogsControlMessageIsSkippedNotDeadLettered() {
        byte[] payload =
                Samples.cloudWatchLogs(
                        "CONTROL_MESSAGE",
                        "CWL CONTROL MESSAGE: Checking health of destination Firehose.");

        CollectingOutput out = decode(payload);

        assertThat(out.events()).isEmpty();
        assertThat(out.deadLetters()).isEmpty();
        assertThat(out.skips()).containsExactly("CloudWatch Logs control message");
    }

    // ---- CloudWatch Logs senders
    // --------------------------------------------------------------------------------

    private static CloudWatchLogsSenders senders(List<String> owners, List<String> logGroups) {
        return new CloudWatchLogsSenders(
                owners,
                CloudWatchLogsSenders.OWNERS_KEY,
                logGroups,
                CloudWatchLogsSenders.LOG_GROUPS_KEY);
    }

    private static final CloudWatchLogsSenders TRAIL_ONLY =
            senders(List.of(Samples.CWL_OWNER), List.of("aws-cloudtrail-logs-*"));

    @Test
    void cloudWatchLogsFromAListedOwnerAndLogGroupAreDecoded() {
        byte[] payload =
                Samples.cloudWatchLogs(
                        "DATA_MESSAGE",
                        Samples.oneLine(Samples.PULL),
                        Samples.oneLine(Samples.PUSH));

        CollectingOutput out = decode(payload, TRAIL_ONLY);

        assertThat(out.deadLetters()).isEmpty();
        assertThat(out.events()).containsExactlyElementsOf(decode(payload).events());
        assertThat(out.events())
                .extracting(EcrEvent::eventName)
                .containsExactly("BatchGetImage", "PutImage");
    }

    @Test
    void cloudWatchLogsFromAnOwnerNotListedAreRejectedWholeNoLogEventDecoded() {
        String[] messages = new String[40]; // more than a dead letter keeps
        Arrays.fill(messages, Samples.oneLine(Samples.PULL));
        byte[] payload = Samples.cloudWatchLogs("DATA_MESSAGE", messages);

        CollectingOutput out = decode(payload, senders(List.of("111122223333"), List.of()));

        DeadLetter dl = out.onlyDeadLetter();
        assertThat(out.rejectedCount()).isEqualTo(1);
        assertThat(out.prefilteredCount()).isZero();
        assertThat(dl.reason())
                .isEqualTo(
                        "CloudWatch Logs message from owner '123456789012', log group "
                                + "'aws-cloudtrail-logs-123456789012': owner not in input.cloudWatchLogs.owners");
        assertThat(dl.source()).isEqualTo("test#aws-cloudtrail-logs-123456789012");
        assertThat(dl.payload())
                .startsWith("{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"123456789012\"")
                .hasSize(DeadLetter.MAX_PAYLOAD_BYTES);
        assertThat(dl.payloadBytes()).isGreaterThan(40L * Samples.oneLine(Samples.PULL).length());
    }

    @Test
    void cloudWatchLogsFromALogGroupNotListedAreRejectedNamingTheKeyThatSetTheList() {
        byte[] payload = Samples.cloudWatchLogs("DATA_MESSAGE", Samples.oneLine(Samples.PULL));
        CloudWatchLogsSenders fromProperties =
                TRAIL_ONLY.withLogGroups(
                        List.of("aws-controltower/CloudTrailLogs"),
                        "KinesisSource.cloudwatch.logs.log.groups");

        CollectingOutput out = decode(payload, fromProperties);

        assertThat(out.onlyDeadLetter().reason())
                .isEqualTo(
                        "CloudWatch Logs message from owner '123456789012', log"
                                + " group 'aws-cloudtrail-logs-123456789012': log group not in KinesisSource.cloudwatch.logs.log.groups");
        assertThat(out.rejectedCount()).isEqualTo(1);
        assertThat(
                        decode(payload, senders(List.of("999988887777"), List.of("other")))
                                .onlyDeadLetter()
                                .reason())
                .endsWith(
                        ": owner not in input.cloudWatchLogs.owners; log group not in input.cloudWatchLogs.logGroups");
    }

    @Test
    void cloudWatchLogsFromAnySenderAreDecodedWhenNoListIsSet() {
        byte[] payload = Samples.cloudWatchLogs("DATA_MESSAGE", Samples.oneLine(Samples.PULL));

        CollectingOutput out = decode(payload, CloudWatchLogsSenders.ANY);

        assertThat(out.onlyEvent()).isEqualTo(decode(Samples.bytes(Samples.PULL)).onlyEvent());
        assertThat(out.rejectedCount()).isZero();
    }

    @ParameterizedTest(name = "restricted: {0}")
    @ValueSource(booleans = {true, false})
    void aCloudWatchLogsMessageNestedInALogEventIsRejectedWhateverItClaims(boolean restricted) {
        String nested =
                Samples.cloudWatchLogsJson(
                        Samples.CWL_OWNER,
                        Samples.CWL_LOG_GROUP,
                        "DATA_MESSAGE",
                        Samples.oneLine(Samples.PULL));
        byte[] payload =
                Samples.cloudWatchLogs("DATA_MESSAGE", nested, Samples.oneLine(Samples.PUSH));

        CollectingOutput out = decode(payload, restricted ? TRAIL_ONLY : CloudWatchLogsSenders.ANY);

        assertThat(out.events()).extracting(EcrEvent::eventName).containsExactly("PutImage");
        assertThat(out.rejectedCount()).isEqualTo(1);
        assertThat(out.deadLetters())
                .singleElement()
                .satisfies(
                        dl -> {
                            assertThat(dl.reason())
                                    .isEqualTo(
                                            "CloudWatch Logs message nested in a log event of owner '123456789012',"
                                                    + " log group 'aws-cloudtrail-logs-123456789012': its owner and log group are only the writer's claim");
                            assertThat(dl.payload()).isNotEmpty();
                            assertThat(nested).startsWith(dl.payload());
                        });
    }

    @Test
    void eachCloudWatchLogsMessageOfAnArrayOrJsonLinesIsCheckedOnItsOwn() {
        String allowed =
                Samples.cloudWatchLogsJson(
                        Samples.CWL_OWNER,
                        Samples.CWL_LOG_GROUP,
                        "DATA_MESSAGE",
                        Samples.oneLine(Samples.PULL));
        String forged =
                Samples.cloudWatchLogsJson(
                        "999988887777",
                        Samples.CWL_LOG_GROUP,
                        "DATA_MESSAGE",
                        Samples.oneLine(Samples.PUSH));

        for (String payload :
                List.of("[" + forged + "," + allowed + "]", forged + "\n" + allowed + "\n")) {
            CollectingOutput out = decode(Samples.utf8(payload), TRAIL_ONLY);

            assertThat(out.events())
                    .extracting(EcrEvent::eventName)
                    .containsExactly("BatchGetImage");
            assertThat(out.rejectedCount()).isEqualTo(1);
            assertThat(out.deadLetters())
                    .singleElement()
                    .extracting(DeadLetter::reason)
                    .asString()
                    .startsWith("CloudWatch Logs message from owner '999988887777'");
        }
    }

    @Test
    void cloudWatchLogsControlMessagesOfAnySenderAreSkipped() {
        byte[] payload =
                Samples.cloudWatchLogs(
                        "CONTROL_MESSAGE", "CWL CONTROL MESSAGE: Checking health of destination.");

        CollectingOutput out = decode(payload, senders(List.of("111122223333"), List.of("other")));

        assertThat(out.skips()).containsExactly("CloudWatch Logs control message");
        assertThat(out.total()).isEqualTo(1);
    }

    // ---- JSON lines, arrays, whitespace, BOM
    // -------------------------------------------------------------------

    @ParameterizedTest(name = "bad line: {0}")
    @ValueSource(
            strings = {
                "this is not JSON",
                "{\"eventVersion\": \"1.08\", oops}",
                "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::1",
                "]",
            })
    void jsonLinesBadLineInTheMiddleCostsOnlyThatLine(String badLine) {
        String lines =
                String.join(
                        "\n",
                        new String(
                                        Samples.bytes(Samples.INVICTUS_INSPECTOR),
                                        StandardCharsets.UTF_8)
                                .strip(),
                        badLine,
                        Samples.oneLine(Samples.BASIC_SCAN),
                        Samples.oneLine(Samples.PULL));

        CollectingOutput out = decode(lines);

        assertThat(out.deadLetters())
                .singleElement()
                .satisfies(
                        dl -> {
                            assertThat(dl.reason()).startsWith("malformed JSON");
                            assertThat(dl.payload()).isEqualTo(badLine);
                            assertThat(dl.payloadBytes()).isEqualTo(Samples.utf8(badLine).length);
                        });
        List<String> expected =
                new ArrayList<>(eventIdsOf(Samples.records(Samples.INVICTUS_INSPECTOR)));
        expected.add("85fc3613-e913-7fc4-a80c-a3753e4aa9ae");
        expected.add("c84f5880-c2f9-4585-9757-28fa5c1065df");
        assertThat(eventIds(out)).isEqualTo(expected);
    }

    @Test
    void jsonLinesTwoBrokenLinesInARowCostOnlyThoseLines() {
        String lines =
                String.join(
                        "\n",
                        Samples.oneLine(Samples.PULL),
                        Samples.oneLine(Samples.BASIC_SCAN),
                        "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\"",
                        "{\"eventVersion\":\"1.08\", oops",
                        Samples.oneLine(Samples.IMAGE_DELETED));

        CollectingOutput out = decode(lines);

        assertThat(out.deadLetters()).hasSize(2);
        assertThat(eventIds(out))
                .containsExactly(
                        "c84f5880-c2f9-4585-9757-28fa5c1065df",
                        "85fc3613-e913-7fc4-a80c-a3753e4aa9ae",
                        "dd3b46cb-2c74-f49e-393b-28286b67279d");
    }

    @Test
    void jsonLinesWithBlankLinesAndCrlf() {
        String lines =
                "\n\n  \r\n"
                        + Samples.oneLine(Samples.PULL)
                        + "\r\n\r\n\t\n"
                        + Samples.oneLine(Samples.IMAGE_DELETED)
                        + "\n   \n";

        CollectingOutput out = decode(lines);

        assertThat(out.events())
                .extracting(EcrEvent::eventId)
                .containsExactly(
                        "c84f5880-c2f9-4585-9757-28fa5c1065df",
                        "dd3b46cb-2c74-f49e-393b-28286b67279d");
        assertThat(out.deadLetters()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\n\n\r\n\t  \n", "\uFEFF", "\uFEFF \n"})
    void blankPayloadIsSkipped(String blank) {
        CollectingOutput out = decode(blank);

        assertThat(out.events()).isEmpty();
        assertThat(out.deadLetters()).isEmpty();
        assertThat(out.skips()).containsExactly("empty payload");
    }

    @Test
    void bareArrayOfRecordsAndEvents() {
        String array =
                "["
                        + Samples.oneLine(Samples.PULL)
                        + ",\n"
                        + Samples.oneLine(Samples.BASIC_SCAN)
                        + ",\n"
                        + Samples.oneLine(Samples.IMAGE_PUSHED)
                        + "]";

        CollectingOutput out = decode(array);

        assertThat(out.deadLetters()).isEmpty();
        assertThat(out.events())
                .extracting(EcrEvent::kind, EcrEvent::eventId)
                .containsExactly(
                        tuple(EventKind.API_CALL, "c84f5880-c2f9-4585-9757-28fa5c1065df"),
                        tuple(EventKind.IMAGE_SCAN, "85fc3613-e913-7fc4-a80c-a3753e4aa9ae"),
                        tuple(EventKind.IMAGE_ACTION, "13cde686-328b-6117-af20-0e5566167482"));
    }

    @Test
    void bareArrayElementThatIsNoObjectIsADeadLetter() {
        CollectingOutput out = decode("[" + Samples.oneLine(Samples.PULL) + ", 42]");

        assertThat(out.events()).extracting(EcrEvent::eventName).containsExactly("BatchGetImage");
        assertThat(out.deadLetters())
                .singleElement()
                .satisfies(
                        dl -> {
                            assertThat(dl.reason()).isEqualTo("array element is not a JSON object");
                            assertThat(dl.payload()).isEqualTo("42");
                        });
    }

    @Test
    void emptyBareArrayIsSkipped() {
        CollectingOutput out = decode("[]");

        assertThat(out.total()).isEqualTo(1);
        assertThat(out.skips()).hasSize(1);
    }

    @Test
    void utf8ByteOrderMarkIsIgnored() {
        byte[] plain = Samples.bytes(Samples.PULL);
        byte[] withBom = new byte[plain.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(plain, 0, withBom, 3, plain.length);

        assertThat(decode(withBom).onlyEvent()).isEqualTo(decode(plain).onlyEvent());
        assertThat(decode(Samples.gzip(withBom)).onlyEvent()).isEqualTo(decode(plain).onlyEvent());
    }

    // ---- what cannot be decoded
    // --------------------------------------------------------------------------------

    @Test
    void truncatedGzipIsOneBinaryDeadLetter() {
        byte[] gz = Samples.gzip(Samples.bytes(Samples.INVICTUS_STRATUS));
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);

        DeadLetter dl = decode(cut).onlyDeadLetter();

        assertThat(dl.reason()).startsWith("corrupt gzip");
        assertThat(dl.stage()).isEqualTo(PayloadDecoder.STAGE);
        assertThat(dl.source()).isEqualTo(CollectingOutput.SOURCE);
        assertThat(dl.encoding()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(dl.payload())).isEqualTo(cut);
        assertThat(dl.payloadBytes()).isEqualTo(cut.length);
    }

    @Test
    void gzipNestedMoreThanTwiceIsADeadLetter() {
        byte[] plain = Samples.bytes(Samples.PULL);

        assertThat(decode(Samples.gzip(Samples.gzip(plain))).onlyEvent().eventName())
                .isEqualTo("BatchGetImage");
        assertThat(
                        decode(Samples.gzip(Samples.gzip(Samples.gzip(plain))))
                                .onlyDeadLetter()
                                .reason())
                .isEqualTo("gzip nested too deep");
    }

    @Test
    void binaryGarbageIsOneBase64DeadLetter() {
        byte[] garbage = new byte[1000];
        new Random(42).nextBytes(garbage);
        garbage[0] = 0x03;

        DeadLetter dl = decode(garbage).onlyDeadLetter();

        assertThat(dl.reason()).isEqualTo("not JSON or gzip");
        assertThat(dl.encoding()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(dl.payload())).isEqualTo(garbage);
        assertThat(dl.payloadBytes()).isEqualTo(1000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"42", "42\n", "\"a string\"\n", "true\n", "null\n"})
    void jsonScalarIsADeadLetter(String scalar) {
        DeadLetter dl = decode(scalar).onlyDeadLetter();

        assertThat(dl.payload().strip()).isEqualTo(scalar.strip());
        assertThat(dl.encoding()).isEqualTo("utf8");
    }

    @Test
    void unrecognisedObjectIsADeadLetterNamingItsFields() {
        DeadLetter dl = decode("{\"hello\": \"world\", \"answer\": 42}").onlyDeadLetter();

        assertThat(dl.reason()).isEqualTo("unrecognised JSON object (fields: hello, answer)");
        assertThat(dl.payload()).isEqualTo("{\"hello\":\"world\",\"answer\":42}");
    }

    @Test
    void rawRecordMissingEventTimeIsADeadLetterCarryingTheRecord() {
        ObjectNode record = (ObjectNode) Samples.json(Samples.PULL).without("eventTime");

        DeadLetter dl = decode(record.toString()).onlyDeadLetter();

        assertThat(dl.reason()).isEqualTo("missing eventTime");
        assertThat(dl.encoding()).isEqualTo("utf8");
        assertThat(Samples.parse(Samples.utf8(dl.payload()))).isEqualTo(record);
    }

    @Test
    void eventTimeWithAnOffsetIsAccepted() {
        ObjectNode record =
                Samples.json(Samples.PULL).put("eventTime", "2019-04-15T19:23:20+02:00");

        assertThat(decode(record.toString()).onlyEvent().eventTime())
                .isEqualTo(millis("2019-04-15T17:23:20Z"));
    }

    @ParameterizedTest
    @CsvSource({
        "2019-04-15 17:23:20, 2019-04-15T17:23:20Z",
        "2019-04-15 17:23:20.000, 2019-04-15T17:23:20Z",
        "2019-04-15 17:23:20.123456, 2019-04-15T17:23:20.123Z",
        "2019-04-15 17:23:20.999999999, 2019-04-15T17:23:20.999Z",
    })
    void dataLakeEventTimeIsReadOnEveryPath(String time, String instant) {
        // An ECR record among other services' records: read from the bytes, the tokens and the tree
        // (decode holds them to each other), the others prefiltered as with CloudTrail's own times
        // (but the first sighting of a session key, parsed for its origin).
        ObjectNode logFile = Samples.json(Samples.INVICTUS_STRATUS);
        ((ArrayNode) logFile.get("Records")).add(Samples.json(Samples.PULL));
        logFile.get("Records").forEach(r -> ((ObjectNode) r).put("eventTime", time));

        CollectingOutput out = decode(logFile.toString());

        assertThat(out.deadLetters()).isEmpty();
        assertThat(out.events())
                .hasSize(7)
                .extracting(EcrEvent::eventTime)
                .containsOnly(millis(instant));
        CollectingOutput prefiltered =
                CollectingOutput.decode(Samples.utf8(logFile.toString()), true);
        assertThat(prefiltered.prefilteredCount()).isEqualTo(5);
        assertThat(prefiltered.origins())
                .singleElement()
                .satisfies(e -> assertThat(e.eventTime()).isEqualTo(millis(instant)));
        assertThat(prefiltered.events())
                .filteredOn(EcrEvent::analysed)
                .singleElement()
                .satisfies(e -> assertThat(e.eventName()).isEqualTo("BatchGetImage"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "eventTime, , missing eventTime",
        "eventTime, 10/07/2023 12:03, unparseable eventTime '10/07/2023 12:03'",
        "eventTime, 2023-02-29 12:03:00.000, unparseable eventTime '2023-02-29 12:03:00.000'",
        "eventTime, 2023-07-10 12:03:00.1234567890, unparseable eventTime '2023-07-10 12:03:00.1234567890'",
        "eventTime, +300000000-01-01T00:00:00Z, eventTime out of range '+300000000-01-01T00:00:00Z'",
        "eventName, , CloudTrail record without eventSource/eventName",
    })
    void badRecordInALogFileCostsOnlyThatRecord(String field, String value, String reason) {
        ObjectNode logFile = Samples.json(Samples.INVICTUS_STRATUS);
        ObjectNode broken = (ObjectNode) logFile.get("Records").get(1);
        if (value == null) {
            broken.remove(field);
        } else {
            broken.put(field, value);
        }

        CollectingOutput out = decode(logFile.toString());

        List<String> ids = new ArrayList<>(eventIdsOf(Samples.records(Samples.INVICTUS_STRATUS)));
        ids.remove(1);
        assertThat(eventIds(out)).isEqualTo(ids);
        assertThat(out.deadLetters())
                .singleElement()
                .satisfies(
                        dl -> {
                            assertThat(dl.reason()).isEqualTo(reason);
                            assertThat(Samples.parse(Samples.utf8(dl.payload()))).isEqualTo(broken);
                        });
    }

    /**
     * The attack: one record over Jackson's limits must not hide the ECR events around it in its
     * log file.
     */
    @ParameterizedTest
    @CsvSource({
        "nesting, getMaxNestingDepth",
        "number, getMaxNumberLength",
        "string, getMaxStringLength",
    })
    void recordOverJacksonLimitsCostsOnlyThatRecord(String attack, String limit) {
        String value =
                switch (attack) {
                    case "nesting" -> "[".repeat(2_000) + "]".repeat(2_000);
                    case "number" -> "1".repeat(100_000);
                    default -> "\"" + "a".repeat(20_000_001) + "\"";
                };
        String bad =
                "{\"eventVersion\":\"1.08\",\"eventSource\":\"ecr.amazonaws.com\",\"eventName\":\"BatchGetImage\","
                        + "\"requestParameters\":{\"x\":"
                        + value
                        + "}}";

        CollectingOutput out =
                decode(
                        "{\"Records\":["
                                + Samples.oneLine(Samples.PULL)
                                + ",\n"
                                + bad
                                + ",\n"
                                + Samples.oneLine(Samples.PUSH)
                                + "]}");

        assertThat(out.events())
                .extracting(EcrEvent::eventName)
                .containsExactly("BatchGetImage", "PutImage");
        assertThat(out.deadLetters())
                .singleElement()
                .satisfies(
                        dl -> {
                            assertThat(dl.reason())
                                    .startsWith("record over Jackson's limits: ")
                                    .contains(limit);
                            assertThat(dl.payloadBytes()).isEqualTo(Samples.utf8(bad).length);
                        });
    }

    @Test
    void malformedLogFileWithARecordOverTheLimitsIsStillOneDeadLetter() {
        String deep =
                "{\"x\":"
                        + "[".repeat(2_000)
                        + "]".repeat(1_999)
                        + "}}"; // a brace closes a bracket

        DeadLetter dl =
                decode("{\"Records\":[" + Samples.oneLine(Samples.PULL) + "," + deep + "]}")
                        .onlyDeadLetter();

        assertThat(dl.reason()).startsWith("malformed JSON: ").contains("getMaxNestingDepth");
    }

    @Test
    void truncatedMultiLineRecordsDocumentIsOneDeadLetterNotOnePerLine() throws IOException {
        String pretty =
                Samples.MAPPER
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsString(Samples.json(Samples.INVICTUS_STRATUS));
        byte[] cut = Arrays.copyOf(Samples.utf8(pretty), Samples.utf8(pretty).length * 3 / 5);
        assertThat(new String(cut, StandardCharsets.UTF_8).lines().count()).isGreaterThan(100);

        DeadLetter dl = decode(cut).onlyDeadLetter();

        assertThat(dl.reason()).startsWith("malformed JSON");
        assertThat(dl.payloadBytes()).isEqualTo(cut.length);
        assertThat(dl.payload())
                .isEqualTo(
                        new String(
                                cut, 0, DeadLetter.MAX_PAYLOAD_BYTES, StandardCharsets.US_ASCII));
    }

    @Test
    void truncatedMultiLineRecordAfterACompleteOneCostsOnlyItself() {
        String pull = new String(Samples.bytes(Samples.PULL), StandardCharsets.UTF_8);
        String push = new String(Samples.bytes(Samples.PUSH), StandardCharsets.UTF_8);
        String broken = push.substring(0, push.length() / 2);

        CollectingOutput out = decode(pull + "\n" + broken);

        assertThat(out.events()).extracting(EcrEvent::eventName).containsExactly("BatchGetImage");
        assertThat(out.deadLetters())
                .singleElement()
                .satisfies(
                        dl -> assertThat(dl.payloadBytes()).isEqualTo(Samples.utf8(broken).length));
    }

    @Test
    void deadLetterTruncatesItsPayloadTo4KiB() {
        ObjectNode record = (ObjectNode) Samples.json(Samples.PUSH).without("eventTime");
        byte[] original = Samples.utf8(record.toString());
        assertThat(original.length).isGreaterThan(DeadLetter.MAX_PAYLOAD_BYTES);

        DeadLetter dl = decode(original).onlyDeadLetter();

        assertThat(dl.reason()).isEqualTo("missing eventTime");
        assertThat(dl.encoding()).isEqualTo("utf8");
        assertThat(dl.payloadBytes()).isEqualTo(original.length);
        assertThat(Samples.utf8(dl.payload()))
                .isEqualTo(Arrays.copyOf(original, DeadLetter.MAX_PAYLOAD_BYTES));
    }

    @Test
    void binaryDeadLetterTruncatesItsPayloadTo4KiB() {
        byte[] garbage = new byte[10_000];
        new Random(7).nextBytes(garbage);
        garbage[0] = 0x00;

        DeadLetter dl = decode(garbage).onlyDeadLetter();

        assertThat(dl.payloadBytes()).isEqualTo(10_000);
        assertThat(Base64.getDecoder().decode(dl.payload()))
                .isEqualTo(Arrays.copyOf(garbage, DeadLetter.MAX_PAYLOAD_BYTES));
    }

    @Test
    void aPayloadAtTheStartOfALongerArrayDecodesAsItselfAlone() {
        for (String sample : Samples.ALL) {
            byte[] bytes = Samples.bytes(sample);
            for (byte[] payload : List.of(bytes, Samples.gzip(bytes))) {
                byte[] longer = Arrays.copyOf(payload, payload.length + 300);
                Arrays.fill(longer, payload.length, longer.length, (byte) '}');
                CollectingOutput alone = new CollectingOutput();
                new PayloadDecoder(false).decode(payload, CollectingOutput.SOURCE, alone);
                CollectingOutput inLonger = new CollectingOutput();
                new PayloadDecoder(false)
                        .decode(longer, payload.length, CollectingOutput.SOURCE, inLonger);
                assertThat(inLonger.toString()).as(sample).isEqualTo(alone.toString());
                assertThat(inLonger.events()).isEqualTo(alone.events()).isNotEmpty();
            }
        }
    }
}
