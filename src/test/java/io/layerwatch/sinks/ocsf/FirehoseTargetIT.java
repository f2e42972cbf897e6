package io.layerwatch.sinks.ocsf;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.Delivery;
import io.layerwatch.sinks.delivery.DeliveryClient;
import io.layerwatch.sinks.delivery.EntryResult;
import io.layerwatch.sinks.delivery.EntryResult.Status;
import io.layerwatch.sinks.delivery.ErrorClassifier;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.JavaSerialization;
import io.layerwatch.util.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * FirehoseTarget with the real SDK FirehoseClient against WireMock: AWS JSON 1.1 PutRecordBatch.
 */
class FirehoseTargetIT {

    static final String STREAM = "layerwatch-ocsf";
    static final String TARGET_HEADER = "Firehose_20150804.PutRecordBatch";

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    // ---- fixtures ----

    static FirehoseTarget target() {
        return new FirehoseTarget(STREAM, AWS.settings(Duration.ofSeconds(5)));
    }

    /** Built once: records carry random request ids. */
    static final List<Finding> FINDINGS =
            IntStream.range(0, 5)
                    .mapToObj(
                            i ->
                                    FindingBuilder.of(
                                                    RulesConfigLoader.builtIn()
                                                            .rule(RuleCatalog.LAYER_DOWNLOAD))
                                            .event(
                                                    record("GetDownloadUrlForLayer")
                                                            .repositoryName("payments")
                                                            .param("registryId", ACCOUNT)
                                                            .param("layerDigest", "sha256:" + i)
                                                            .eventId("evt-" + i)
                                                            .event())
                                            .title("Layer download " + i)
                                            .description("Test finding " + i)
                                            .build())
                    .toList();

    static Finding finding(int i) {
        return FINDINGS.get(i);
    }

    /**
     * Sends findings 0..n-1 through a fresh client; a thrown exception is classified for every
     * entry.
     */
    static List<EntryResult> send(int n) {
        FirehoseTarget target = target();
        List<Delivery> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Finding f = finding(i);
            batch.add(Delivery.of(f.id(), target.encode(OcsfEvent.of(f)), Json.write(f)));
        }
        try (DeliveryClient client = target.connect()) {
            return client.send(batch);
        } catch (Exception e) {
            return Collections.nCopies(n, ErrorClassifier.classify(e));
        }
    }

    static void reply(int status, String body) {
        AWS.server()
                .stubFor(
                        post(urlEqualTo("/"))
                                .withHeader("X-Amz-Target", equalTo(TARGET_HEADER))
                                .willReturn(
                                        aResponse()
                                                .withStatus(status)
                                                .withHeader(
                                                        "Content-Type",
                                                        "application/x-amz-json-1.1")
                                                .withBody(body)));
    }

    static String ok(int i) {
        return "{\"RecordId\":\"rec-" + i + "\"}";
    }

    static String failed(String code, String message) {
        return "{\"ErrorCode\":\"" + code + "\",\"ErrorMessage\":\"" + message + "\"}";
    }

    static void replyEntries(String... entries) {
        long failures = Arrays.stream(entries).filter(e -> e.contains("ErrorCode")).count();
        reply(
                200,
                "{\"FailedPutCount\":"
                        + failures
                        + ",\"Encrypted\":false,\"RequestResponses\":["
                        + String.join(",", entries)
                        + "]}");
    }

    static void replyError(int status, String type) {
        reply(status, "{\"__type\":\"" + type + "\",\"message\":\"" + type + " in test\"}");
    }

    static JsonNode onlyRequestBody() throws Exception {
        List<LoggedRequest> requests = AWS.server().findAll(postRequestedFor(urlEqualTo("/")));
        assertThat(requests).hasSize(1);
        return Json.MAPPER.readTree(requests.get(0).getBodyAsString());
    }

    // ---- tests ----

    @Test
    void recordsAreOcsfLinesEndingInNewline() throws Exception {
        replyEntries(ok(0), ok(1), ok(2));
        assertThat(send(3))
                .containsExactly(
                        EntryResult.DELIVERED, EntryResult.DELIVERED, EntryResult.DELIVERED);

        LoggedRequest request = AWS.server().findAll(postRequestedFor(urlEqualTo("/"))).get(0);
        assertThat(request.getHeader("X-Amz-Target")).isEqualTo(TARGET_HEADER);
        assertThat(request.getHeader("Content-Type")).startsWith("application/x-amz-json-1.1");
        assertThat(request.getHeader("Authorization"))
                .contains(FakeAws.ACCESS_KEY_ID)
                .contains("/us-east-1/firehose/");
        JsonNode body = onlyRequestBody();
        assertThat(body.path("DeliveryStreamName").asText()).isEqualTo(STREAM);
        assertThat(body.path("Records")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            String data =
                    new String(
                            Base64.getDecoder()
                                    .decode(body.path("Records").get(i).path("Data").asText()),
                            StandardCharsets.UTF_8);
            assertThat(data).endsWith("\n").containsOnlyOnce("\n");
            JsonNode ocsf = Json.MAPPER.readTree(data);
            assertThat(ocsf.path("class_uid").asInt()).isEqualTo(2004);
            assertThat(ocsf.path("finding_info").path("uid").asText()).isEqualTo(finding(i).id());
            assertThat(data).isEqualTo(OcsfMapper.line(finding(i)) + "\n");
        }
    }

    @Test
    void partialFailuresAreMappedPerRecord() {
        replyEntries(
                ok(0),
                failed("ServiceUnavailableException", "Slow down."),
                ok(2),
                failed("InternalFailure", "Internal service failure."),
                failed("KMS.AccessDeniedException", "no key"));
        List<EntryResult> results = send(5);
        assertThat(results)
                .extracting(EntryResult::status)
                .containsExactly(
                        Status.DELIVERED,
                        Status.RETRY,
                        Status.DELIVERED,
                        Status.RETRY,
                        Status.REJECTED);
        assertThat(results.get(1).error()).isEqualTo("ServiceUnavailableException: Slow down.");
        assertThat(results.get(4).error()).contains("KMS.AccessDeniedException");
    }

    @ParameterizedTest
    @CsvSource({
        "400, ThrottlingException, RETRY",
        "400, ServiceUnavailableException, RETRY",
        "503, ServiceUnavailableException, RETRY",
        "500, InternalFailure, RETRY",
        "400, InvalidArgumentException, REJECTED",
        "400, ResourceNotFoundException, REJECTED",
        "400, InvalidKMSResourceException, REJECTED",
        "403, AccessDeniedException, REJECTED"
    })
    void wholeRequestErrorsAreRetriedOrRejected(int status, String type, Status expected) {
        replyError(status, type);
        List<EntryResult> results = send(2);
        assertThat(results).extracting(EntryResult::status).containsExactly(expected, expected);
        assertThat(results.get(0).error()).contains(type);
    }

    @Test
    void limitsMatchPutRecordBatch() {
        FirehoseTarget target = target();
        assertThat(target.name()).isEqualTo("ocsf-firehose");
        assertThat(target.limits().maxBatchEntries()).isEqualTo(500);
        assertThat(target.limits().maxBatchBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(target.limits().maxEntryBytes()).isEqualTo(1_000 * 1024);
    }

    @Test
    void oversizeFindingsAreTrimmedToFitOneRecord() {
        String padding = "p".repeat(300_000);
        FindingBuilder b =
                FindingBuilder.of(
                                RulesConfigLoader.builtIn().rule(RuleCatalog.LAYER_DOWNLOAD_BURST))
                        .title("big");
        IntStream.range(0, 5)
                .forEach(
                        i ->
                                b.event(
                                        record("GetDownloadUrlForLayer")
                                                .repositoryName("p")
                                                .param("padding", padding)
                                                .eventId("e" + i)
                                                .event()));
        String payload = target().encode(OcsfEvent.of(b.build()));
        assertThat(payload.getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(1_000 * 1024);
        assertThat(payload).endsWith("\n").contains("\"evidencesOmitted\":2");
    }

    @Test
    void aSerializedTargetConnectsAndDeliversOnTheTaskManager() throws Exception {
        FirehoseTarget copy = JavaSerialization.roundTrip(target());
        replyEntries(ok(0));
        Finding f = finding(0);
        try (DeliveryClient client = copy.connect()) {
            assertThat(
                            client.send(
                                    List.of(
                                            Delivery.of(
                                                    f.id(),
                                                    copy.encode(OcsfEvent.of(f)),
                                                    Json.write(f)))))
                    .containsExactly(EntryResult.DELIVERED);
        }
    }

    @Test
    void aBlankDeliveryStreamNameIsRefused() {
        assertThatThrownBy(() -> new FirehoseTarget(" ", AwsClientSettings.DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
