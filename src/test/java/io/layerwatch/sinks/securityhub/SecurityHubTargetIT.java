package io.layerwatch.sinks.securityhub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.layerwatch.sinks.securityhub.AsffMapperIT.assertRequiredAttributes;
import static io.layerwatch.sinks.securityhub.AsffMapperIT.built;
import static io.layerwatch.sinks.securityhub.AsffMapperIT.demoFindings;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.Delivery;
import io.layerwatch.sinks.delivery.DeliveryClient;
import io.layerwatch.sinks.delivery.DeliveryTarget;
import io.layerwatch.sinks.delivery.EntryResult;
import io.layerwatch.sinks.delivery.EntryResult.Status;
import io.layerwatch.sinks.delivery.ErrorClassifier;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.JavaSerialization;
import io.layerwatch.util.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real SDK SecurityHubClient against WireMock speaking the BatchImportFindings REST-JSON
 * protocol.
 */
class SecurityHubTargetIT {

    static final String IMPORT = "/findings/import";
    static final String OK = "{\"FailedCount\":0,\"SuccessCount\":1,\"FailedFindings\":[]}";

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    /**
     * Every import succeeds unless a test stubs otherwise (FakeAws has reset WireMock before this);
     * the caller is the findings' own account (cross-account imports: SecurityHubHubAccountIT).
     */
    @BeforeEach
    void acceptImports() {
        AWS.server().stubFor(post(urlEqualTo(IMPORT)).willReturn(okJson(OK)));
        SecurityHubHubAccountIT.stubCaller(AWS.server(), "111122223333");
    }

    static SecurityHubTarget target() {
        return new SecurityHubTarget(
                SecurityHubTarget.Settings.defaults().withAws(AWS.settings(Duration.ofSeconds(2))));
    }

    static Delivery delivery(DeliveryTarget<Finding> target, Finding f) {
        return Delivery.of(f.id(), target.encode(f), Json.write(f));
    }

    static List<Delivery> deliveries(DeliveryTarget<Finding> target, List<Finding> findings) {
        return findings.stream().map(f -> delivery(target, f)).toList();
    }

    static List<Finding> synthetic(int n) {
        return IntStream.range(0, n)
                .mapToObj(
                        i ->
                                built(
                                        RuleCatalog.POLICY_DELETED,
                                        record("DeleteRepositoryPolicy")
                                                .repositoryName("repo-" + i)))
                .toList();
    }

    static List<EntryResult> send(DeliveryTarget<Finding> target, List<Delivery> batch)
            throws Exception {
        try (DeliveryClient client = target.connect()) {
            return client.send(batch);
        }
    }

    /** How the delivery layer classifies the exception a whole-batch failure throws. */
    static EntryResult outcome(DeliveryTarget<Finding> target, List<Delivery> batch)
            throws Exception {
        try (DeliveryClient client = target.connect()) {
            client.send(batch);
        } catch (Exception e) {
            return ErrorClassifier.classify(e);
        }
        throw new AssertionError("the batch did not fail");
    }

    static List<LoggedRequest> imports() {
        return AWS.server().findAll(postRequestedFor(urlEqualTo(IMPORT)));
    }

    static ArrayNode findingsOf(LoggedRequest request) {
        return (ArrayNode) Json.tree(request.getBodyAsString()).path("Findings");
    }

    static void respondFailed(Map<String, String[]> failures) {
        ObjectNode body =
                Json.MAPPER
                        .createObjectNode()
                        .put("FailedCount", failures.size())
                        .put("SuccessCount", 0);
        ArrayNode failed = body.putArray("FailedFindings");
        failures.forEach(
                (id, codeAndMessage) ->
                        failed.addObject()
                                .put("Id", id)
                                .put("ErrorCode", codeAndMessage[0])
                                .put("ErrorMessage", codeAndMessage[1]));
        AWS.server().stubFor(post(urlEqualTo(IMPORT)).willReturn(okJson(body.toString())));
    }

    @Test
    void defaultSettingsUseTheClientsHubAtTenRequestsPerSecond() {
        SecurityHubTarget.Settings d = SecurityHubTarget.Settings.defaults();
        assertThat(d.aws()).isEqualTo(AwsClientSettings.DEFAULTS);
        assertThat(d.hubAccountId()).isNull();
        assertThat(d.hubRegion()).isNull();
        assertThat(d.compliance()).isNull();
        assertThat(d.requestsPerSecond()).isEqualTo(10.0);
    }

    @Test
    void theTargetIsNamedSecurityhubWithTheBatchImportLimits() {
        SecurityHubTarget t = new SecurityHubTarget(SecurityHubTarget.Settings.defaults());
        assertThat(t.name()).isEqualTo("securityhub");
        DeliveryTarget.Limits limits = t.limits();
        assertThat(limits.maxBatchEntries()).isEqualTo(100);
        assertThat(limits.maxEntryBytes()).isEqualTo(240_000);
        assertThat(limits.maxBatchBytes()).isLessThan(6_000_000).isGreaterThan(5_900_000);
        assertThat(limits.requestsPerSecond()).isEqualTo(10.0);
    }

    @Test
    void aMalformedHubAccountOrANegativeRateIsRefused() {
        SecurityHubTarget.Settings d = SecurityHubTarget.Settings.defaults();
        assertThatThrownBy(() -> d.withHub("12345", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withRequestsPerSecond(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(d.withRequestsPerSecond(0).requestsPerSecond()).isZero();
    }

    @Test
    void theWireBodyIsTheEncodedAsffFieldByField() throws Exception {
        SecurityHubTarget target = target();
        int max = target.limits().maxBatchEntries();
        // More than one batch: every finding of the demo, then a few more of one rule.
        List<Finding> findings = new ArrayList<>(demoFindings());
        findings.addAll(synthetic(Math.max(1, max + 1 - findings.size())));
        assertThat(findings).hasSizeGreaterThan(max);
        List<Delivery> all = deliveries(target, findings);
        List<EntryResult> results = new ArrayList<>();
        for (int from = 0;
                from < all.size();
                from += max) { // batches as the delivery layer cuts them
            List<Delivery> batch = all.subList(from, Math.min(all.size(), from + max));
            assertThat(batch.stream().mapToLong(Delivery::sizeInBytes).sum())
                    .isLessThanOrEqualTo(target.limits().maxBatchBytes());
            results.addAll(send(target, batch));
        }
        assertThat(results).hasSize(findings.size()).allMatch(r -> r.status() == Status.DELIVERED);

        List<LoggedRequest> requests = imports();
        assertThat(requests).hasSize((findings.size() + max - 1) / max);
        List<JsonNode> sent = new ArrayList<>();
        for (LoggedRequest r : requests) {
            assertThat(r.getHeader("Authorization"))
                    .startsWith("AWS4-HMAC-SHA256 Credential=" + FakeAws.ACCESS_KEY_ID + "/")
                    .contains("/us-east-1/securityhub/aws4_request");
            assertThat(r.getBody().length).isLessThanOrEqualTo(6_000_000);
            findingsOf(r).forEach(sent::add);
        }
        assertThat(sent).hasSize(findings.size());
        for (int i = 0; i < findings.size(); i++) {
            JsonNode encoded = Json.tree(all.get(i).payload());
            JsonNode wire = sent.get(i);
            List<String> names = new ArrayList<>();
            encoded.fieldNames().forEachRemaining(names::add);
            List<String> wireNames = new ArrayList<>();
            wire.fieldNames().forEachRemaining(wireNames::add);
            assertThat(wireNames).containsExactlyInAnyOrderElementsOf(names);
            for (String name : names) {
                assertThat(wire.get(name))
                        .as(findings.get(i).ruleId() + " " + name)
                        .isEqualTo(encoded.get(name));
            }
            assertRequiredAttributes(wire, findings.get(i));
        }
    }

    @Test
    void largerBatchesAreSplitAtOneHundred() throws Exception {
        SecurityHubTarget target = target();
        List<EntryResult> results = send(target, deliveries(target, synthetic(250)));
        assertThat(results).hasSize(250).allMatch(r -> r.status() == Status.DELIVERED);
        assertThat(imports().stream().map(r -> findingsOf(r).size()).toList())
                .containsExactlyInAnyOrder(100, 100, 50);
    }

    @Test
    void failedFindingsMapToTheirEntries() throws Exception {
        SecurityHubTarget target = target();
        List<Delivery> batch = deliveries(target, synthetic(6));
        respondFailed(
                Map.of(
                        batch.get(1).findingId(),
                                new String[] {"InvalidInput", "Finding does not adhere to ASFF"},
                        batch.get(2).findingId(),
                                new String[] {"InvalidAccess", "Security Hub is not enabled"},
                        batch.get(3).findingId(), new String[] {"LimitExceeded", "Rate exceeded"},
                        batch.get(4).findingId(),
                                new String[] {"InternalException", "Internal error"}));
        List<EntryResult> results = send(target, batch);
        assertThat(results)
                .extracting(EntryResult::status)
                .containsExactly(
                        Status.DELIVERED,
                        Status.REJECTED,
                        Status.REJECTED,
                        Status.RETRY,
                        Status.RETRY,
                        Status.DELIVERED);
        assertThat(results.get(1).error())
                .isEqualTo("Security Hub InvalidInput: Finding does not adhere to ASFF");
        assertThat(results.get(3).error()).contains("LimitExceeded", "Rate exceeded");
        assertThat(findingsOf(imports().get(0))).hasSize(6);
    }

    @Test
    void aFindingTwiceInOneBatchIsSentOnceInItsLatestVersion() throws Exception {
        SecurityHubTarget target = target();
        Finding first = synthetic(1).get(0);
        Finding later =
                first.withUpdate(
                        3,
                        first.lastEventTime().plusSeconds(60),
                        first.eventIds(),
                        first.details(),
                        first.evidence());
        List<Delivery> batch = List.of(delivery(target, later), delivery(target, first));
        assertThat(send(target, batch))
                .extracting(EntryResult::status)
                .containsExactly(Status.DELIVERED, Status.DELIVERED);
        ArrayNode sent = findingsOf(imports().get(0));
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0)).isEqualTo(Json.tree(batch.get(0).payload()));

        respondFailed(Map.of(first.id(), new String[] {"ThrottlingException", "slow down"}));
        assertThat(send(target, batch))
                .extracting(EntryResult::status)
                .containsExactly(Status.RETRY, Status.RETRY);
    }

    @Test
    void anUnreadablePayloadIsRejectedAlone() throws Exception {
        SecurityHubTarget target = target();
        Finding good = synthetic(1).get(0);
        List<Delivery> batch =
                List.of(delivery(target, good), Delivery.of("broken", "{\"Nope\":1}", "{}"));
        List<EntryResult> results = send(target, batch);
        assertThat(results)
                .extracting(EntryResult::status)
                .containsExactly(Status.DELIVERED, Status.REJECTED);
        assertThat(results.get(1).error()).contains("unknown ASFF attribute Nope");
        assertThat(findingsOf(imports().get(0))).hasSize(1);

        AWS.server().resetRequests();
        assertThat(send(target, List.of(Delivery.of("x", "not json", "{}"))))
                .extracting(EntryResult::status)
                .containsExactly(Status.REJECTED);
        assertThat(imports()).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "429, TooManyRequestsException, RETRY",
        "429, LimitExceededException, RETRY",
        "500, InternalException, RETRY",
        "503, ServiceUnavailableException, RETRY",
        "403, AccessDeniedException, REJECTED",
        "401, InvalidAccessException, REJECTED",
        "400, InvalidInputException, REJECTED"
    })
    void wholeBatchErrorsAreClassified(int status, String code, Status expected) throws Exception {
        AWS.server()
                .stubFor(
                        post(urlEqualTo(IMPORT))
                                .willReturn(
                                        aResponse()
                                                .withStatus(status)
                                                .withHeader("Content-Type", "application/json")
                                                .withHeader("x-amzn-ErrorType", code)
                                                .withBody(
                                                        "{\"Code\":\""
                                                                + code
                                                                + "\",\"Message\":\""
                                                                + code
                                                                + " from the test\"}")));
        SecurityHubTarget target = target();
        EntryResult result = outcome(target, deliveries(target, synthetic(2)));
        assertThat(result.status()).isEqualTo(expected);
        assertThat(result.error()).contains(code);
    }

    @Test
    void aResponseSlowerThanTheAttemptTimeoutIsRetried() throws Exception {
        AWS.server().stubFor(post(urlEqualTo(IMPORT)).willReturn(okJson(OK).withFixedDelay(3_000)));
        SecurityHubTarget target =
                new SecurityHubTarget(
                        SecurityHubTarget.Settings.defaults()
                                .withAws(AWS.settings(Duration.ofMillis(300))));
        long start = System.nanoTime();
        EntryResult result = outcome(target, deliveries(target, synthetic(1)));
        assertThat(result.status()).isEqualTo(Status.RETRY);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isLessThan(Duration.ofMillis(2_500));
    }

    @Test
    void aHubRegionAndAccountSignTheCallAndMakeTheProductArn() throws Exception {
        AwsClientSettings noRegion =
                new AwsClientSettings(
                        null, AWS.endpoint(), Duration.ofSeconds(5), Duration.ofSeconds(2));
        SecurityHubTarget target =
                new SecurityHubTarget(
                        SecurityHubTarget.Settings.defaults()
                                .withAws(noRegion)
                                .withHub("777788889999", "eu-west-1"));
        Finding f = synthetic(1).get(0);
        assertThat(send(target, List.of(delivery(target, f))))
                .extracting(EntryResult::status)
                .containsExactly(Status.DELIVERED);
        LoggedRequest r = imports().get(0);
        assertThat(r.getHeader("Authorization")).contains("/eu-west-1/securityhub/aws4_request");
        JsonNode sent = findingsOf(r).get(0);
        assertThat(sent.path("ProductArn").asText())
                .isEqualTo(
                        "arn:aws:securityhub:eu-west-1:777788889999:product/777788889999/default");
        assertThat(sent.path("AwsAccountId").asText()).isEqualTo("777788889999");
        assertThat(sent.path("Resources").get(0).path("Id").asText())
                .contains(":ecr:us-east-1:111122223333:");
    }

    @Test
    void withoutAHubTheProductArnIsTheClientsRegionNotTheFindings() {
        SecurityHubTarget clientRegion = target();
        assertThat(
                        Json.tree(
                                        clientRegion.encode(
                                                built(
                                                        RuleCatalog.POLICY_DELETED,
                                                        record("DeleteRepositoryPolicy")
                                                                .repositoryName("r")
                                                                .region("ap-south-1"))))
                                .path("ProductArn")
                                .asText())
                .startsWith("arn:aws:securityhub:us-east-1:111122223333:");
    }

    @Test
    void customComplianceReachesTheWire() throws Exception {
        SecurityHubTarget target =
                new SecurityHubTarget(
                        SecurityHubTarget.Settings.defaults()
                                .withAws(AWS.settings(Duration.ofSeconds(2)))
                                .withCompliance(
                                        Map.of(
                                                RuleCatalog.POLICY_DELETED,
                                                List.of("ISO 27001 A.8.9"))));
        send(target, deliveries(target, synthetic(1)));
        assertThat(
                        findingsOf(imports().get(0))
                                .get(0)
                                .path("Compliance")
                                .path("RelatedRequirements")
                                .toString())
                .isEqualTo("[\"ISO 27001 A.8.9\"]");
    }

    @Test
    void theTargetTravelsInTheJobGraph() throws Exception {
        SecurityHubTarget target =
                new SecurityHubTarget(
                        SecurityHubTarget.Settings.defaults()
                                .withAws(AWS.settings(Duration.ofSeconds(2)))
                                .withHub("777788889999", "eu-west-1")
                                .withCompliance(Map.of("x", List.of("y"))));
        SecurityHubTarget copy = JavaSerialization.roundTrip(target);
        assertThat(copy.settings()).isEqualTo(target.settings());
        Finding f = synthetic(1).get(0);
        assertThat(copy.encode(f)).isEqualTo(target.encode(f));
        assertThat(send(copy, List.of(delivery(copy, f))))
                .extracting(EntryResult::status)
                .containsExactly(Status.DELIVERED);
        assertThat(new String(imports().get(0).getBody(), StandardCharsets.UTF_8))
                .contains("777788889999");
    }
}
