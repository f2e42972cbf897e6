package io.layerwatch.sinks.ocsf;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.policyDocument;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.AttackTechnique;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.rules.LayerDownload;
import io.layerwatch.rules.PolicyDeleted;
import io.layerwatch.rules.RepositoryExposed;
import io.layerwatch.rules.SingleEventRule;
import io.layerwatch.rules.UntrustedNetwork;
import io.layerwatch.rules.VulnerableImageScan;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Findings of several rules as OCSF 1.3.0 Detection Findings. */
class OcsfMapperTest {

    static final RulesConfig DEFAULTS = RulesConfigLoader.builtIn();
    static final RulesConfig TRUSTING =
            RulesConfigLoader.fromYaml(
                    "allowlist:\n  trustedCidrs: [10.0.0.0/8]\n", "trusting.yaml");
    static final String PUBLIC =
            "{\"Sid\":\"public\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:*\"}";
    static final String EXAMPLE = "examples/ocsf-example.json";

    // ---- fixtures ----

    static Finding fire(SingleEventRule rule, RulesConfig config, EcrEvent e) {
        return rule.evaluate(e, config.rule(rule.id()))
                .orElseThrow(() -> new AssertionError(rule.id() + " did not fire"));
    }

    static CloudTrailRecords.Builder download(String digest) {
        return record("GetDownloadUrlForLayer")
                .repositoryName("payments")
                .param("registryId", ACCOUNT)
                .param("layerDigest", digest);
    }

    static String scan() {
        return """
                {"version":"0","id":"85fc3613-e913-7fc4-a80c-a3753e4aa9ae","detail-type":"ECR Image Scan",
                 "source":"aws.ecr","account":"111122223333","time":"2024-05-01T12:00:00Z","region":"us-east-1",
                 "resources":["arn:aws:ecr:us-east-1:111122223333:repository/app"],
                 "detail":{"scan-status":"COMPLETE","repository-name":"app","image-digest":"sha256:d1",
                   "image-tags":["v1"],"finding-severity-counts":{"CRITICAL":2,"HIGH":7}}}""";
    }

    /** A burst-like finding of several downloads (more than the evidence cap). */
    static Finding burst(int events) {
        List<EcrEvent> es =
                IntStream.range(0, events)
                        .mapToObj(
                                i ->
                                        download("sha256:" + i)
                                                .time(CloudTrailRecords.TIME.plusSeconds(i))
                                                .eventId("evt-" + i)
                                                .event())
                        .toList();
        return FindingBuilder.of(DEFAULTS.rule(RuleCatalog.LAYER_DOWNLOAD_BURST))
                .events(es)
                .title("Layer download burst")
                .description(events + " layers")
                .count(events)
                .build();
    }

    static JsonNode ocsf(Finding f) throws IOException {
        String line = OcsfMapper.line(f);
        assertThat(line).doesNotContain("\n");
        return Json.MAPPER.readTree(line);
    }

    static List<Finding> findingsOfSeveralRules() {
        return List.of(
                fire(new LayerDownload(), DEFAULTS, download("sha256:abc").event()),
                fire(
                        new RepositoryExposed(),
                        DEFAULTS,
                        record("SetRepositoryPolicy")
                                .repositoryName("app")
                                .policyText(policyDocument(PUBLIC))
                                .event()),
                fire(
                        new UntrustedNetwork(),
                        TRUSTING,
                        download("sha256:abc").sourceIp("2001:db8::7").event()),
                fire(new PolicyDeleted(), DEFAULTS, record("DeleteRegistryPolicy").event()),
                fire(new VulnerableImageScan(), DEFAULTS, CloudTrailRecords.decode(scan())),
                burst(7));
    }

    // ---- tests ----

    @Test
    void everyFindingCarriesTheRequiredDetectionFindingAttributes() throws IOException {
        for (Finding f : findingsOfSeveralRules()) {
            JsonNode e = ocsf(f);
            assertThat(e.path("class_uid").asInt()).as(f.ruleId()).isEqualTo(2004);
            assertThat(e.path("category_uid").asInt()).isEqualTo(2);
            assertThat(e.path("activity_id").asInt()).isEqualTo(1);
            assertThat(e.path("type_uid").asLong()).isEqualTo(200401L);
            assertThat(e.path("time").asLong()).isEqualTo(f.lastEventTime().toEpochMilli());
            assertThat(e.path("severity_id").asInt())
                    .isEqualTo(OcsfMapper.severityId(f.severity()));
            assertThat(e.path("status_id").asInt()).isEqualTo(1);
            assertThat(e.path("count").asLong()).isEqualTo(f.eventCount());
            JsonNode meta = e.path("metadata");
            assertThat(meta.path("version").asText()).isEqualTo("1.3.0");
            assertThat(meta.path("product").path("name").asText()).isEqualTo("LayerWatch");
            assertThat(meta.path("product").path("vendor_name").asText()).isEqualTo("LayerWatch");
            assertThat(meta.path("product").path("version").asText()).isNotBlank();
            assertThat(meta.path("uid").asText()).startsWith(f.id() + ":");
            JsonNode info = e.path("finding_info");
            assertThat(info.path("uid").asText()).isEqualTo(f.id());
            assertThat(info.path("title").asText()).isEqualTo(f.title());
            assertThat(info.path("desc").asText()).isEqualTo(f.description());
            assertThat(info.path("types"))
                    .containsExactly(Json.MAPPER.getNodeFactory().textNode(f.ruleId()));
            assertThat(info.path("created_time").asLong())
                    .isEqualTo(f.firstEventTime().toEpochMilli());
            assertThat(info.path("first_seen_time").asLong())
                    .isEqualTo(f.firstEventTime().toEpochMilli());
            assertThat(info.path("last_seen_time").asLong())
                    .isEqualTo(f.lastEventTime().toEpochMilli());
            assertThat(info.path("analytic").path("uid").asText()).isEqualTo(f.ruleId());
            assertThat(info.path("analytic").path("name").asText()).isEqualTo(f.ruleId());
            assertThat(info.path("analytic").path("type_id").asInt()).isEqualTo(1);
            assertThat(e.path("cloud").path("provider").asText()).isEqualTo("AWS");
            assertThat(e.path("cloud").path("region").asText()).isEqualTo("us-east-1");
            assertThat(e.path("cloud").path("account").path("uid").asText()).isEqualTo(ACCOUNT);
            assertThat(e.path("actor").path("user").path("uid").asText())
                    .isEqualTo(f.principal().arn());
            assertThat(e.path("resources")).hasSize(1);
            assertThat(e.path("evidences")).hasSize(f.evidence().size());
            assertThat(e.path("unmapped").path("key").asText()).isEqualTo(f.key());
            assertThat(info.path("attacks")).hasSize(f.attack().size()).isNotEmpty();
            for (int i = 0; i < f.attack().size(); i++) {
                JsonNode attack = info.path("attacks").get(i);
                assertThat(attack.path("tactic").path("uid").asText())
                        .isEqualTo(f.attack().get(i).tactic());
                assertThat(attack.path("tactic").path("name").asText())
                        .isEqualTo(f.attack().get(i).tacticName());
                assertThat(attack.path("version").asText())
                        .isEqualTo(AttackTechnique.ATTACK_VERSION);
            }
            assertThat(OcsfSchema.V1_3_0.problems(e)).as(f.ruleId()).isEmpty();
        }
    }

    @Test
    void attacksNameTacticTechniqueAndSubTechnique() throws IOException {
        JsonNode burst = ocsf(burst(7)).path("finding_info").path("attacks");
        assertThat(burst).hasSize(2);
        assertThat(burst.get(0).path("tactic"))
                .isEqualTo(Json.tree("{\"uid\":\"TA0009\",\"name\":\"Collection\"}"));
        assertThat(burst.get(0).path("technique"))
                .isEqualTo(Json.tree("{\"uid\":\"T1530\",\"name\":\"Data from Cloud Storage\"}"));
        assertThat(burst.get(0).has("sub_technique")).isFalse();
        assertThat(burst.get(1).path("tactic").path("name").asText()).isEqualTo("Exfiltration");
        assertThat(burst.get(1).path("technique").path("uid").asText()).isEqualTo("T1537");

        // T1078.004: the parent technique, the sub-technique beside it.
        JsonNode untrusted =
                ocsf(fire(
                                new UntrustedNetwork(),
                                TRUSTING,
                                download("sha256:abc").sourceIp("2001:db8::7").event()))
                        .path("finding_info")
                        .path("attacks")
                        .get(0);
        assertThat(untrusted.path("tactic"))
                .isEqualTo(Json.tree("{\"uid\":\"TA0001\",\"name\":\"Initial Access\"}"));
        assertThat(untrusted.path("technique"))
                .isEqualTo(Json.tree("{\"uid\":\"T1078\",\"name\":\"Valid Accounts\"}"));
        assertThat(untrusted.path("sub_technique"))
                .isEqualTo(Json.tree("{\"uid\":\"T1078.004\",\"name\":\"Cloud Accounts\"}"));
        assertThat(untrusted.path("version").asText()).isEqualTo("16.1");

        // Ids outside the catalog (the responder's remediation-failed) have no techniques: no
        // attacks.
        Finding other =
                new Finding(
                        "x",
                        "remediation-failed",
                        Severity.HIGH,
                        "t",
                        "d",
                        ACCOUNT,
                        "us-east-1",
                        null,
                        null,
                        null,
                        null,
                        CloudTrailRecords.TIME,
                        CloudTrailRecords.TIME,
                        1,
                        "k",
                        List.of(),
                        Map.of(),
                        List.of(),
                        null);
        assertThat(ocsf(other).path("finding_info").has("attacks")).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        "INFORMATIONAL, 1, Informational",
        "LOW, 2, Low",
        "MEDIUM, 3, Medium",
        "HIGH, 4, High",
        "CRITICAL, 5, Critical"
    })
    void asffSeverityLabelsMapToOcsfSeverity(Severity label, int id, String caption)
            throws IOException {
        Finding f =
                FindingBuilder.of(DEFAULTS.rule(RuleCatalog.LAYER_DOWNLOAD))
                        .severity(label)
                        .event(download("sha256:a").event())
                        .title("t")
                        .description("d")
                        .build();
        JsonNode e = ocsf(f);
        assertThat(e.path("severity_id").asInt()).isEqualTo(id);
        assertThat(e.path("severity").asText()).isEqualTo(caption);
    }

    @Test
    void rawEvidenceIsTheOriginalRecordByteForByte() throws IOException {
        CloudTrailRecords.Builder b =
                record("SetRepositoryPolicy")
                        .repositoryName("app")
                        .policyText(policyDocument(PUBLIC))
                        .field("additionalEventData", Map.of("note", "ünïcødé ☃"));
        String original = b.json();
        Finding f = fire(new RepositoryExposed(), DEFAULTS, CloudTrailRecords.decode(original));
        JsonNode data = ocsf(f).path("evidences").get(0).path("data");
        assertThat(data).isEqualTo(Json.MAPPER.readTree(original));
        assertThat(Json.write(data)).isEqualTo(original);
        assertThat(data.has("responseElements")).as("nulls are kept").isTrue();

        // Scan events (EventBridge envelopes) are evidence too: data only, no api/actor.
        JsonNode scanEvidence =
                ocsf(fire(new VulnerableImageScan(), DEFAULTS, CloudTrailRecords.decode(scan())))
                        .path("evidences")
                        .get(0);
        assertThat(scanEvidence.path("data")).isEqualTo(Json.MAPPER.readTree(scan()));
        assertThat(scanEvidence.has("api")).isFalse();
    }

    @Test
    void evidenceDescribesTheCallTheCallerAndItsSource() throws IOException {
        JsonNode ev =
                ocsf(fire(
                                new LayerDownload(),
                                DEFAULTS,
                                download("sha256:abc")
                                        .assumedRole(ACCOUNT, "app", "i-1")
                                        .sourceIp("198.51.100.7")
                                        .event()))
                        .path("evidences")
                        .get(0);
        assertThat(ev.path("api").path("operation").asText()).isEqualTo("GetDownloadUrlForLayer");
        assertThat(ev.path("api").path("service").path("name").asText())
                .isEqualTo("ecr.amazonaws.com");
        assertThat(ev.path("api").path("request").path("uid").asText())
                .isEqualTo(ev.path("data").path("requestID").asText());
        JsonNode user = ev.path("actor").path("user");
        assertThat(user.path("uid").asText()).isEqualTo("arn:aws:iam::111122223333:role/app");
        assertThat(user.path("type").asText()).isEqualTo("AssumedRole");
        assertThat(user.path("account").path("uid").asText()).isEqualTo(ACCOUNT);
        assertThat(user.path("credential_uid").asText()).startsWith("ASIA");
        assertThat(ev.path("actor").path("session").path("uid_alt").asText())
                .isEqualTo("arn:aws:sts::111122223333:assumed-role/app/i-1");
        assertThat(ev.path("src_endpoint").path("ip").asText()).isEqualTo("198.51.100.7");

        JsonNode failed =
                ocsf(FindingBuilder.of(DEFAULTS.rule(RuleCatalog.ACCESS_DENIED_BURST))
                                .event(download("sha256:a").errorCode("AccessDenied").event())
                                .title("t")
                                .build())
                        .path("evidences")
                        .get(0)
                        .path("api")
                        .path("response");
        assertThat(failed.path("error").asText()).isEqualTo("AccessDenied");
        assertThat(failed.path("error_message").asText()).contains("AccessDenied");
    }

    @ParameterizedTest
    @CsvSource({
        "203.0.113.10, ip",
        "2001:db8::7, ip",
        "::ffff:198.51.100.7, ip",
        "ecr.amazonaws.com, svc_name",
        "AWS Internal, svc_name"
    })
    void sourceEndpointIsAnIpOnlyForIpLiterals(String source, String field) throws IOException {
        JsonNode e =
                ocsf(
                        fire(
                                new LayerDownload(),
                                DEFAULTS,
                                download("sha256:a").sourceIp(source).event()));
        JsonNode src = e.path("evidences").get(0).path("src_endpoint");
        assertThat(src.path(field).asText()).isEqualTo(source);
        assertThat(src.size()).isEqualTo(1);
        assertThat(e.path("unmapped").path("sourceIp").asText()).isEqualTo(source);
    }

    /**
     * An AWS service principal is not a host's System account (type_id 3): Other, typed AWSService.
     */
    @Test
    void awsServicesAreOtherActorsInvokedByTheServiceNotSystemAccounts() throws IOException {
        JsonNode e =
                ocsf(
                        fire(
                                new LayerDownload(),
                                DEFAULTS,
                                download("sha256:a")
                                        .awsService("replication.ecr.amazonaws.com")
                                        .event()));
        assertThat(e.path("actor").path("invoked_by").asText())
                .isEqualTo("replication.ecr.amazonaws.com");
        for (JsonNode user :
                List.of(
                        e.path("actor").path("user"),
                        e.path("evidences").get(0).path("actor").path("user"))) {
            assertThat(user.path("type_id").asInt()).isEqualTo(99);
            assertThat(user.path("type").asText()).isEqualTo("AWSService");
        }
        assertThat(e.path("evidences").get(0).path("src_endpoint").path("svc_name").asText())
                .isEqualTo("replication.ecr.amazonaws.com");
    }

    @Test
    void resourcesNameTheRepositoryByArnOrTheRegistry() throws IOException {
        JsonNode repo =
                ocsf(fire(
                                new LayerDownload(),
                                DEFAULTS,
                                download("sha256:a").region("cn-north-1").event()))
                        .path("resources")
                        .get(0);
        assertThat(repo.path("type").asText()).isEqualTo("AWS::ECR::Repository");
        assertThat(repo.path("uid").asText())
                .isEqualTo("arn:aws-cn:ecr:cn-north-1:111122223333:repository/payments");
        assertThat(repo.path("name").asText()).isEqualTo("payments");
        assertThat(repo.path("region").asText()).isEqualTo("cn-north-1");

        JsonNode registry =
                ocsf(fire(new PolicyDeleted(), DEFAULTS, record("DeleteRegistryPolicy").event()))
                        .path("resources")
                        .get(0);
        assertThat(registry.path("type").asText()).isEqualTo("AWS::ECR::Registry");
        assertThat(registry.path("uid").asText()).isEqualTo(ACCOUNT);
    }

    @Test
    void episodeFindingsSpanTheirEvents() throws IOException {
        Finding f = burst(7);
        JsonNode e = ocsf(f);
        assertThat(e.path("start_time").asLong()).isEqualTo(CloudTrailRecords.TIME.toEpochMilli());
        assertThat(e.path("end_time").asLong())
                .isEqualTo(CloudTrailRecords.TIME.plusSeconds(6).toEpochMilli());
        assertThat(e.path("count").asInt()).isEqualTo(7);
        assertThat(e.path("evidences")).hasSize(FindingBuilder.MAX_EVIDENCE);
        assertThat(e.path("unmapped").path("eventIds")).hasSize(7);
    }

    @Test
    void anUpdatedEpisodeKeepsItsFindingUidUnderANewMetadataUid() throws IOException {
        // The same id re-emitted with more events is a new version: same finding uid, new metadata
        // uid.
        Finding f = burst(7);
        JsonNode e = ocsf(f);
        Finding later =
                f.withUpdate(
                        9,
                        f.lastEventTime().plusSeconds(60),
                        f.eventIds(),
                        f.details(),
                        f.evidence());
        JsonNode update = ocsf(later);
        assertThat(update.path("finding_info").path("uid"))
                .isEqualTo(e.path("finding_info").path("uid"));
        assertThat(update.path("metadata").path("uid"))
                .isNotEqualTo(e.path("metadata").path("uid"));
        assertThat(update.path("finding_info").path("created_time"))
                .isEqualTo(e.path("finding_info").path("created_time"));
    }

    @Test
    void theRuleDetailsAndTheUserAgentAreKeptUnmapped() throws IOException {
        JsonNode details =
                ocsf(fire(new LayerDownload(), DEFAULTS, download("sha256:abc").event()))
                        .path("unmapped");
        assertThat(details.path("details").path("layerDigest").asText()).isEqualTo("sha256:abc");
        assertThat(details.path("userAgent").asText()).isEqualTo(CloudTrailRecords.USER_AGENT);
    }

    @Test
    void oversizeFindingsDropWholeEvidencesNeverTheFinding() throws IOException {
        String big = "x".repeat(20_000);
        List<EcrEvent> es = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            es.add(
                    download("sha256:" + i)
                            .param("padding", big)
                            .eventId("e" + i)
                            .time(CloudTrailRecords.TIME.plusSeconds(i))
                            .event());
        }
        Finding f =
                FindingBuilder.of(DEFAULTS.rule(RuleCatalog.LAYER_DOWNLOAD_BURST))
                        .events(es)
                        .title("t")
                        .build();
        String line = OcsfMapper.line(f, false, 50_000);
        assertThat(line.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(50_000);
        JsonNode e = Json.MAPPER.readTree(line);
        assertThat(e.path("evidences")).hasSize(2);
        assertThat(e.path("unmapped").path("truncated").path("evidencesOmitted").asInt())
                .isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            assertThat(e.path("evidences").get(i).path("data")).isEqualTo(f.evidence().get(i));
        }
        assertThat(e.path("finding_info").path("uid").asText()).isEqualTo(f.id());
        assertThat(OcsfMapper.line(f)).isEqualTo(Json.write(OcsfMapper.toNode(f, false)));
    }

    /**
     * Writes the example docs/sinks.md links to; fails when stale (regenerate:
     * -Docsf.updateExample=true).
     */
    @Test
    void exampleIsCurrent() throws IOException {
        ObjectNode raw =
                record("SetRepositoryPolicy")
                        .repositoryName("payments")
                        .policyText(policyDocument(PUBLIC))
                        .eventId("6f1ae3c4-2c4b-4d7e-9a39-0d3c3b1e8f21")
                        .sourceIp("198.51.100.23")
                        .toNode();
        raw.put("requestID", "9a7c2e55-5d35-4b8e-8a52-1f0e6a1b4c77");
        Finding f =
                fire(new RepositoryExposed(), DEFAULTS, CloudTrailRecords.decode(raw.toString()));
        String pretty =
                Json.MAPPER
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsString(Json.MAPPER.readTree(OcsfMapper.line(f)));
        if (Boolean.getBoolean("ocsf.updateExample")) {
            Path file = Path.of("src/test/resources", EXAMPLE);
            Files.createDirectories(file.getParent());
            Files.writeString(file, pretty + "\n");
            return;
        }
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(EXAMPLE)) {
            assertThat(in)
                    .as(EXAMPLE + " exists (create it with -Docsf.updateExample=true)")
                    .isNotNull();
            assertThat(Json.MAPPER.readTree(in))
                    .as(EXAMPLE + " is current")
                    .isEqualTo(Json.MAPPER.readTree(pretty));
        }
    }

    // ---- helpers ----

    @Test
    void timesAreEpochMilliseconds() throws IOException {
        Instant t = Instant.parse("2024-05-01T12:00:00Z");
        JsonNode e =
                ocsf(fire(new LayerDownload(), DEFAULTS, download("sha256:a").time(t).event()));
        assertThat(e.path("time").isIntegralNumber()).isTrue();
        assertThat(e.path("time").asLong()).isEqualTo(t.toEpochMilli());
    }
}
