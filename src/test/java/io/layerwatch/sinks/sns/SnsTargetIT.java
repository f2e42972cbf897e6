package io.layerwatch.sinks.sns;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.layerwatch.sinks.sns.SnsFixtures.FIFO_TOPIC;
import static io.layerwatch.sinks.sns.SnsFixtures.REPORTS;
import static io.layerwatch.sinks.sns.SnsFixtures.TOPIC;
import static io.layerwatch.sinks.sns.SnsFixtures.example;
import static io.layerwatch.sinks.sns.SnsFixtures.finding;
import static io.layerwatch.sinks.sns.SnsFixtures.pull;
import static io.layerwatch.sinks.sns.SnsFixtures.untrusted;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.Incident;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.Delivery;
import io.layerwatch.sinks.delivery.DeliveryClient;
import io.layerwatch.sinks.delivery.DeliveryTarget;
import io.layerwatch.sinks.delivery.EntryResult;
import io.layerwatch.sinks.delivery.EntryResult.Status;
import io.layerwatch.sinks.delivery.ErrorClassifier;
import io.layerwatch.sinks.sns.SnsTarget.MessageFormat;
import io.layerwatch.sinks.sns.SnsTarget.Settings;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.IncidentFindings;
import io.layerwatch.testing.JavaSerialization;
import io.layerwatch.util.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sns.model.AuthorizationErrorException;

/**
 * SnsTarget with the real SDK SnsClient against WireMock: the query-protocol wire form and the XML
 * replies.
 */
class SnsTargetIT {

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    // ---- fixtures ----

    static SnsTarget target(String topic, MessageFormat format) {
        return new SnsTarget(
                new Settings(topic, AWS.settings(Duration.ofSeconds(5)), format, REPORTS));
    }

    static SnsTarget target() {
        return target(TOPIC, MessageFormat.TEXT_AND_JSON);
    }

    static Delivery delivery(SnsTarget target, Finding f) {
        return Delivery.of(f.id(), target.encode(f), Json.write(f));
    }

    static List<Delivery> deliveries(SnsTarget target, Finding... findings) {
        List<Delivery> batch = new ArrayList<>();
        for (Finding f : findings) {
            batch.add(delivery(target, f));
        }
        return batch;
    }

    static List<EntryResult> send(SnsTarget target, List<Delivery> batch) throws Exception {
        try (DeliveryClient client = target.connect()) {
            return client.send(batch);
        }
    }

    static List<EntryResult> send(SnsTarget target, Finding... findings) throws Exception {
        return send(target, deliveries(target, findings));
    }

    // ---- SNS stubs: the query protocol's XML ----

    static void reply(ResponseDefinitionBuilder response) {
        AWS.server()
                .stubFor(
                        post(urlEqualTo("/"))
                                .willReturn(response.withHeader("Content-Type", "text/xml")));
    }

    /** Entries 0..n-1 succeeded. */
    static void allSucceed(int n) {
        batchReply(IntStream.range(0, n).mapToObj(Integer::toString).toList(), "");
    }

    static void batchReply(List<String> successfulIds, String failedMembers) {
        StringBuilder ok = new StringBuilder();
        successfulIds.forEach(
                id ->
                        ok.append("<member><Id>")
                                .append(id)
                                .append("</Id><MessageId>")
                                .append(UUID.nameUUIDFromBytes(id.getBytes()))
                                .append("</MessageId></member>"));
        reply(
                aResponse()
                        .withStatus(200)
                        .withBody(
                                """
                <PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
                  <PublishBatchResult>
                    <Successful>%s</Successful>
                    <Failed>%s</Failed>
                  </PublishBatchResult>
                  <ResponseMetadata><RequestId>0f8b7c3e-1d2a-5b6c-9e8f-7a6b5c4d3e2f</RequestId></ResponseMetadata>
                </PublishBatchResponse>"""
                                        .formatted(ok, failedMembers)));
    }

    static String failed(String id, String code, String message, boolean senderFault) {
        return "<member><Id>%s</Id><Code>%s</Code><Message>%s</Message><SenderFault>%s</SenderFault></member>"
                .formatted(id, code, message, senderFault);
    }

    static void error(int status, String type, String code, String message) {
        reply(
                aResponse()
                        .withStatus(status)
                        .withBody(
                                """
                <ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
                  <Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>
                  <RequestId>5c1f8a2b-3d4e-5f6a-7b8c-9d0e1f2a3b4c</RequestId>
                </ErrorResponse>"""
                                        .formatted(type, code, message)));
    }

    // ---- the wire form ----

    static LoggedRequest onlyRequest() {
        List<LoggedRequest> requests = AWS.server().findAll(postRequestedFor(urlEqualTo("/")));
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    static Map<String, String> form(LoggedRequest request) {
        Map<String, String> form = new TreeMap<>();
        for (String pair : request.getBodyAsString().split("&")) {
            int eq = pair.indexOf('=');
            form.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
        }
        return form;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /**
     * One PublishBatch entry off the wire: its own fields, and its attributes as name -> [type,
     * value].
     */
    record WireEntry(Map<String, String> fields, Map<String, List<String>> attributes) {
        String get(String name) {
            return fields.get(name);
        }

        JsonNode messageJson() {
            return Json.tree(get("Message"));
        }
    }

    static List<WireEntry> entries(Map<String, String> form) {
        List<WireEntry> out = new ArrayList<>();
        for (int n = 1; form.containsKey("PublishBatchRequestEntries.member." + n + ".Id"); n++) {
            String prefix = "PublishBatchRequestEntries.member." + n + ".";
            Map<String, String> fields = new TreeMap<>();
            form.forEach(
                    (k, v) -> {
                        if (k.startsWith(prefix)) {
                            fields.put(k.substring(prefix.length()), v);
                        }
                    });
            Map<String, List<String>> attributes = new TreeMap<>();
            for (int a = 1; fields.containsKey("MessageAttributes.entry." + a + ".Name"); a++) {
                String ap = "MessageAttributes.entry." + a + ".";
                attributes.put(
                        fields.get(ap + "Name"),
                        List.of(
                                fields.get(ap + "Value.DataType"),
                                fields.get(ap + "Value.StringValue")));
            }
            out.add(new WireEntry(fields, attributes));
        }
        return out;
    }

    static List<WireEntry> sentEntries() {
        Map<String, String> form = form(onlyRequest());
        assertThat(form)
                .containsEntry("Action", "PublishBatch")
                .containsEntry("Version", "2010-03-31");
        return entries(form);
    }

    // ---- tests ----

    @Test
    void publishesSubjectAttributesAndJsonStructure() throws Exception {
        allSucceed(1);
        Finding f =
                untrusted(
                        pull("e1").vpcEndpointId("vpce-0fe9d8c7b6a5f4e3d").sourceIp("172.31.4.17"));

        assertThat(send(target(), f)).containsExactly(EntryResult.DELIVERED);

        Map<String, String> form = form(onlyRequest());
        assertThat(form).containsEntry("TopicArn", TOPIC);
        WireEntry e = entries(form).get(0);
        assertThat(e.get("Id")).isEqualTo("0");
        assertThat(e.get("Subject"))
                .isEqualTo("[HIGH] untrusted-network: developer on payments-api");
        assertThat(e.get("MessageStructure")).isEqualTo("json");
        assertThat(e.fields()).doesNotContainKeys("MessageGroupId", "MessageDeduplicationId");
        assertThat(e.attributes())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "severity", List.of("String", "HIGH"),
                                "ruleId", List.of("String", "untrusted-network"),
                                "accountId", List.of("String", ACCOUNT),
                                "repository", List.of("String", "payments-api")));

        JsonNode message = e.messageJson();
        assertThat(message.path("default").asText())
                .contains(
                        "arn:aws:iam::111122223333:role/developer",
                        "Session:        alice",
                        "VPC endpoint:   vpce-0fe9d8c7b6a5f4e3d",
                        "Source IP:      172.31.4.17",
                        f.id())
                .contains(
                        "ATT&CK:         T1078.004 Valid Accounts: Cloud Accounts (Initial Access); "
                                + "T1530 Data from Cloud Storage (Collection)");
        assertThat(Json.tree(message.path("sqs").asText()).path("attack"))
                .isEqualTo(
                        Json.tree(
                                """
                [{"technique": "T1078.004", "name": "Valid Accounts: Cloud Accounts", "tactic": "TA0001",
                  "tacticName": "Initial Access"},
                 {"technique": "T1530", "name": "Data from Cloud Storage", "tactic": "TA0009",
                  "tacticName": "Collection"}]"""));
        for (String protocol : SnsMessage.JSON_PROTOCOLS) {
            Finding received = Json.read(message.path(protocol).asText(), Finding.class);
            assertThat(received.id()).isEqualTo(f.id());
            assertThat(received.evidence()).hasSize(1);
            assertThat(received)
                    .usingRecursiveComparison()
                    .ignoringFields("evidence", "details")
                    .isEqualTo(f);
        }
        assertThat(message.path("sms").asText())
                .startsWith("[HIGH] untrusted-network")
                .endsWith(f.id());
        assertThat(message.has("email")).as("email subscribers read \"default\"").isFalse();
    }

    @Test
    void attributesOmitAbsentValues() throws Exception {
        allSucceed(1);
        Finding f =
                finding(RuleCatalog.CREDENTIAL_NETWORK_HOP, record("GetAuthorizationToken"))
                        .build();
        assertThat(f.repository()).isNull();

        assertThat(send(target(), f)).containsExactly(EntryResult.DELIVERED);

        assertThat(sentEntries().get(0).attributes())
                .containsOnlyKeys("severity", "ruleId", "accountId");
    }

    @Test
    void fifoTopicsGetGroupIdsAndTheFindingIdAsDedupId() throws Exception {
        allSucceed(2);
        Finding first = example();
        Finding update =
                first.withUpdate(
                        7,
                        first.lastEventTime().plusSeconds(60),
                        first.eventIds(),
                        first.details(),
                        first.evidence());
        SnsTarget fifo = target(FIFO_TOPIC, MessageFormat.TEXT_AND_JSON);
        assertThat(fifo.limits().requestsPerSecond()).isPositive();

        assertThat(send(fifo, first, update))
                .containsExactly(EntryResult.DELIVERED, EntryResult.DELIVERED);

        List<WireEntry> sent = sentEntries();
        assertThat(sent).extracting(e -> e.get("Id")).containsExactly("0", "1");
        assertThat(sent)
                .extracting(e -> e.get("MessageGroupId"))
                .containsOnly("untrusted-network:arn:aws:iam::111122223333:role/developer");
        assertThat(sent)
                .extracting(e -> e.get("MessageDeduplicationId"))
                .containsExactly(first.id(), first.id());

        Finding longKey =
                finding(RuleCatalog.FIRST_SEEN_PULLER, pull("e2")).key("z".repeat(300)).build();
        assertThat(SnsMessage.groupId(longKey))
                .startsWith("first-seen-puller:")
                .hasSizeLessThanOrEqualTo(128);
        assertThat(SnsMessage.dedupId(longKey)).hasSizeLessThanOrEqualTo(128);
    }

    @Test
    void jsonFormatSendsTheFindingJson() throws Exception {
        allSucceed(1);
        Finding f = example();

        send(target(TOPIC, MessageFormat.JSON), f);

        WireEntry e = sentEntries().get(0);
        assertThat(e.fields()).doesNotContainKey("MessageStructure");
        assertThat(e.get("Subject")).isEqualTo(SnsMessage.subject(f));
        assertThat(e.get("Message")).isEqualTo(Json.write(f));
    }

    @Test
    void sendsFullBatchesOfTen() throws Exception {
        allSucceed(10);
        SnsTarget target = target();
        DeliveryTarget.Limits limits = target.limits();
        assertThat(limits.maxBatchEntries()).isEqualTo(10);
        assertThat(limits.maxBatchBytes()).isEqualTo(256 * 1024);
        assertThat(limits.maxEntryBytes()).isLessThan(256 * 1024);
        Finding[] findings =
                IntStream.range(0, 10)
                        .mapToObj(i -> untrusted(pull("evt-" + i).sourceIp("198.51.100." + i)))
                        .toArray(Finding[]::new);

        assertThat(send(target, findings)).hasSize(10).containsOnly(EntryResult.DELIVERED);

        List<WireEntry> sent = sentEntries();
        assertThat(sent)
                .extracting(e -> e.get("Id"))
                .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(
                        new HashSet<>(
                                sent.stream()
                                        .map(
                                                e ->
                                                        Json.read(
                                                                        e.messageJson()
                                                                                .path("sqs")
                                                                                .asText(),
                                                                        Finding.class)
                                                                .id())
                                        .toList()))
                .hasSize(10);
    }

    @Test
    void oversizeFindingsAreTrimmedNeverDropped() throws Exception {
        allSucceed(1);
        SnsTarget target = target();
        String bigPolicy =
                CloudTrailRecords.policyDocument(
                        "{\"Sid\":\""
                                + "p".repeat(60_000)
                                + "\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:*\"}");
        Finding f =
                finding(
                                RuleCatalog.REPOSITORY_EXPOSED,
                                IntStream.range(0, 5)
                                        .mapToObj(
                                                i ->
                                                        record("SetRepositoryPolicy")
                                                                .repositoryName("payments-api")
                                                                .policyText(bigPolicy)
                                                                .eventId("big-" + i))
                                        .toArray(CloudTrailRecords.Builder[]::new))
                        .detail("statements", List.of(Map.of("sid", "s1", "kind", "PUBLIC")))
                        .build();
        assertThat(Json.write(f).length()).isGreaterThan(300_000);

        assertThat(send(target, f)).containsExactly(EntryResult.DELIVERED);

        WireEntry e = sentEntries().get(0);
        assertThat((long) e.get("Message").getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(target.limits().maxEntryBytes());
        String text = e.messageJson().path("default").asText();
        assertThat(text)
                .contains(
                        "NOTE: trimmed to fit the SNS message size limit (evidence records dropped)",
                        REPORTS + "/" + f.id(),
                        "Finding id:     " + f.id());
        JsonNode json = Json.tree(e.messageJson().path("sqs").asText());
        assertThat(json.path("id").asText()).isEqualTo(f.id());
        assertThat(json.path("evidence")).isEmpty();
        assertThat(json.path("details").path("statements")).hasSize(1);
        assertThat(json.path("trimmed").path("steps"))
                .extracting(JsonNode::asText)
                .containsExactly("evidence records dropped");
        assertThat(json.path("trimmed").path("fullFinding").asText())
                .isEqualTo(REPORTS + "/" + f.id());
    }

    @Test
    void partialFailuresMapPerEntry() throws Exception {
        batchReply(
                List.of("0"),
                failed("1", "InvalidParameter", "Invalid parameter: Message", true)
                        + failed("2", "InternalError", "Internal error", false)
                        + failed("3", "KMSThrottling", "Rate exceeded for KMS", true));
        Finding[] findings =
                IntStream.range(0, 5)
                        .mapToObj(i -> untrusted(pull("p-" + i)))
                        .toArray(Finding[]::new);

        SnsTarget target = target();
        List<Delivery> batch = deliveries(target, findings);
        batch.add(Delivery.of("broken", "not an SNS entry", "{}"));

        List<EntryResult> results = send(target, batch);

        assertThat(results)
                .extracting(EntryResult::status)
                .containsExactly(
                        Status.DELIVERED,
                        Status.REJECTED,
                        Status.RETRY,
                        Status.RETRY,
                        Status.RETRY,
                        Status.REJECTED);
        assertThat(results.get(1).error())
                .isEqualTo("InvalidParameter: Invalid parameter: Message");
        assertThat(results.get(2).error()).isEqualTo("InternalError: Internal error");
        assertThat(results.get(4).error()).contains("no result");
        assertThat(results.get(5).error()).contains("unreadable");
        assertThat(sentEntries()).hasSize(5);
    }

    @Test
    void throttlingIsRetryable() {
        error(400, "Sender", "Throttling", "Rate exceeded");
        Throwable t = catchThrowable(() -> send(target(), example()));
        assertThat(t).isInstanceOf(AwsServiceException.class);
        assertThat(((AwsServiceException) t).isThrottlingException()).isTrue();
        assertThat(ErrorClassifier.classify(t).status()).isEqualTo(Status.RETRY);
    }

    @Test
    void serverErrorsAreRetryable() {
        error(500, "Receiver", "InternalError", "Internal failure");
        Throwable t = catchThrowable(() -> send(target(), example()));
        assertThat(t).isInstanceOf(AwsServiceException.class);
        assertThat(ErrorClassifier.classify(t).status()).isEqualTo(Status.RETRY);
    }

    @Test
    void authorizationErrorsAreFinal() {
        error(
                403,
                "Sender",
                "AuthorizationError",
                "User is not authorized to perform: SNS:Publish");
        Throwable t = catchThrowable(() -> send(target(), example()));
        assertThat(t).isInstanceOf(AuthorizationErrorException.class);
        EntryResult r = ErrorClassifier.classify(t);
        assertThat(r.status()).isEqualTo(Status.REJECTED);
        assertThat(r.error()).contains("not authorized");
    }

    @Test
    void slowRepliesTimeOutAndAreRetryable() {
        AWS.server()
                .stubFor(
                        post(urlEqualTo("/"))
                                .willReturn(aResponse().withStatus(200).withFixedDelay(3_000)));
        SnsTarget target =
                new SnsTarget(
                        new Settings(TOPIC, AWS.settings(Duration.ofMillis(500)), null, null));
        long start = System.nanoTime();
        Throwable t = catchThrowable(() -> send(target, example()));
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isLessThan(Duration.ofMillis(2_500));
        assertThat(t).isInstanceOf(SdkClientException.class);
        assertThat(ErrorClassifier.classify(t).status()).isEqualTo(Status.RETRY);
    }

    @Test
    void clientsSignForTheTopicsRegionWhenNoneIsConfigured() throws Exception {
        allSucceed(1);
        String topic = "arn:aws:sns:eu-west-1:" + ACCOUNT + ":alerts";
        SnsTarget target =
                new SnsTarget(
                        Settings.defaults(topic)
                                .withAws(
                                        new AwsClientSettings(
                                                null,
                                                AWS.endpoint(),
                                                Duration.ofSeconds(5),
                                                Duration.ofSeconds(2))));

        assertThat(send(target, example())).containsExactly(EntryResult.DELIVERED);

        assertThat(onlyRequest().getHeader("Authorization"))
                .contains("/eu-west-1/sns/aws4_request");
    }

    @Test
    void everyRuleHasItsOwnRecommendation() {
        List<String> texts = new ArrayList<>();
        RuleCatalog.ids().forEach(id -> texts.add(RuleCatalog.recommendation(id)));
        assertThat(texts)
                .hasSize(RuleCatalog.rules().size())
                .doesNotHaveDuplicates()
                .doesNotContain(RuleCatalog.recommendation("no-such-rule"));
        assertThat(RuleCatalog.recommendation(RuleCatalog.LAYER_DOWNLOAD))
                .contains("ecr:GetDownloadUrlForLayer");
    }

    @Test
    void defaultSettingsSendTextAndJsonToAStandardTopic() {
        Settings s = Settings.defaults(TOPIC);
        assertThat(s.format()).isEqualTo(MessageFormat.TEXT_AND_JSON);
        assertThat(s.aws()).isEqualTo(AwsClientSettings.DEFAULTS);
        assertThat(s.reportBaseUrl()).isNull();
        assertThat(s.fifo()).isFalse();
    }

    @Test
    void aFifoTopicArnMakesTheSettingsFifo() {
        assertThat(new Settings(FIFO_TOPIC, null, null, " ").fifo()).isTrue();
    }

    @Test
    void aTopicNameThatIsNoArnIsRefused() {
        assertThatThrownBy(() -> Settings.defaults("layerwatch-findings"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theTargetTravelsInTheJobGraph() throws Exception {
        SnsTarget copy = JavaSerialization.roundTrip(target());
        assertThat(copy.settings()).isEqualTo(target().settings());
        assertThat(copy.name()).isEqualTo("sns");
    }

    // ---- incidents ----

    @Test
    void anIncidentIsOneMessageWithTheStoryAndItsStepsInOrder() throws Exception {
        Finding incident = IncidentFindings.incident(IncidentFindings.members());
        WireEntry e = sendWithAJoinedMember(incident).get(0);
        assertThat(e.get("Subject"))
                .isEqualTo("[CRITICAL] Incident: developer (mallory), 3 findings of 3 rules");
        assertThat(e.attributes())
                .containsEntry("ruleId", List.of("String", "attack-sequence"))
                .containsEntry("incidentId", List.of("String", incident.id()));
        JsonNode message = e.messageJson();
        assertThat(message.path("sms").asText()).endsWith(" - incident " + incident.id());
        String text = message.path("default").asText();
        assertThat(text.split("\n"))
                .contains(
                        "LayerWatch INCIDENT (CRITICAL): " + incident.title(),
                        "  " + IncidentFindings.STORY,
                        "STEPS (3 findings of 3 rules, 2026-03-02T10:00:00Z - 2026-03-02T10:50:00Z (50 min))",
                        "  Principals:     " + IncidentFindings.ROLE,
                        "  Source IPs:     198.51.100.23",
                        "  Tactics:        TA0001 Initial Access, TA0009 Collection, TA0010 Exfiltration",
                        "  Incident id:    " + incident.id());
        assertThat(text)
                .containsSubsequence(
                        "1. 2026-03-02T10:00:00Z HIGH untrusted-network: ECR pulls on payments-api from an untrusted network"
                                + " (31 events)",
                        "2. 2026-03-02T10:20:00Z CRITICAL repository-exposed: payments-api made public (1 event)",
                        "3. 2026-03-02T10:45:00Z HIGH replication-to-foreign-account:",
                        "Member finding ids (3):",
                        "f-pull",
                        "f-public",
                        "f-replicate");
        assertThat(text).doesNotContain("Key details", "memberIds");
        Finding received = Json.read(message.path("sqs").asText(), Finding.class);
        assertThat(Incident.of(received)).isPresent().isEqualTo(Incident.of(incident));
    }

    /** Sends {@code incident} and then its third member, which joined it; the wire entries. */
    List<WireEntry> sendWithAJoinedMember(Finding incident) throws Exception {
        allSucceed(2);
        Finding member = IncidentFindings.members().get(2).inIncident(incident.id());
        assertThat(send(target(), incident, member))
                .containsExactly(EntryResult.DELIVERED, EntryResult.DELIVERED);
        return sentEntries();
    }

    @Test
    void aMemberThatJoinedAnIncidentNamesIt() throws Exception {
        Finding incident = IncidentFindings.incident(IncidentFindings.members());
        WireEntry m = sendWithAJoinedMember(incident).get(1);
        assertThat(m.attributes()).containsEntry("incidentId", List.of("String", incident.id()));
        assertThat(m.messageJson().path("default").asText())
                .contains("  Incident:       " + incident.id())
                .doesNotContain("incidentId:");
    }
}
