package io.layerwatch.sinks.securityhub;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.AttackTechnique;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.replay.Replay;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.JavaSerialization;
import io.layerwatch.util.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.securityhub.model.AwsSecurityFinding;

/** Findings of every rule (the demo attack story through the real pipeline) as ASFF. */
class AsffMapperIT {

    /** The ASFF Types taxonomy: namespaces and the categories Security Hub defines. */
    static final Set<String> TAXONOMY =
            Set.of(
                    "Software and Configuration Checks",
                    "Software and Configuration Checks/Vulnerabilities",
                    "Software and Configuration Checks/Vulnerabilities/CVE",
                    "Software and Configuration Checks/AWS Security Best Practices",
                    "Software and Configuration Checks/Industry and Regulatory Standards",
                    "TTPs",
                    "TTPs/Initial Access",
                    "TTPs/Execution",
                    "TTPs/Persistence",
                    "TTPs/Privilege Escalation",
                    "TTPs/Defense Evasion",
                    "TTPs/Credential Access",
                    "TTPs/Discovery",
                    "TTPs/Lateral Movement",
                    "TTPs/Collection",
                    "TTPs/Command and Control",
                    "Effects",
                    "Effects/Data Exposure",
                    "Effects/Data Exfiltration",
                    "Effects/Data Destruction",
                    "Effects/Denial of Service",
                    "Effects/Resource Consumption",
                    "Unusual Behaviors",
                    "Unusual Behaviors/Application",
                    "Unusual Behaviors/Network Flow",
                    "Unusual Behaviors/IP address",
                    "Unusual Behaviors/User",
                    "Unusual Behaviors/VM",
                    "Unusual Behaviors/Container",
                    "Unusual Behaviors/Serverless",
                    "Unusual Behaviors/Process",
                    "Unusual Behaviors/Database",
                    "Unusual Behaviors/Data",
                    "Sensitive Data Identifications");

    static final Path EXAMPLE = Path.of("src/test/resources/examples/asff-example.json");
    static final AsffMapper MAPPER = new AsffMapper(null, null, null);

    private static List<Finding> demo;

    /** The latest version of every finding the demo attack story yields (run once per JVM). */
    static synchronized List<Finding> demoFindings() throws Exception {
        if (demo == null) {
            Path out = Files.createTempDirectory("asff-demo");
            Replay.run(
                    List.of(Path.of("job/demo/attack-story.jsonl")),
                    RulesConfigLoader.load(Path.of("job/demo/demo-rules.yaml")),
                    null,
                    null,
                    out,
                    1);
            List<Finding> findings = new ArrayList<>();
            for (String line :
                    Files.readAllLines(out.resolve(Replay.FINDINGS), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    findings.add(Json.read(line, Finding.class));
                }
            }
            demo = List.copyOf(findings);
        }
        return demo;
    }

    static Finding demoFinding(String ruleId) throws Exception {
        return demoFindings().stream()
                .filter(f -> f.ruleId().equals(ruleId))
                .findFirst()
                .orElseThrow();
    }

    static ObjectNode asff(Finding f) {
        return (ObjectNode) Json.tree(MAPPER.toJson(f));
    }

    /** The attributes ASFF requires, with the values a LayerWatch finding must carry. */
    static void assertRequiredAttributes(JsonNode a, Finding f) {
        assertThat(a.path("SchemaVersion").asText()).isEqualTo("2018-10-08");
        assertThat(a.path("Id").asText()).isEqualTo(f.id());
        assertThat(a.path("ProductArn").asText())
                .matches(
                        "arn:aws(-cn|-us-gov)?:securityhub:[a-z0-9-]+:\\d{12}:product/\\d{12}/default");
        assertThat(a.path("GeneratorId").asText()).isEqualTo("layerwatch/" + f.ruleId());
        assertThat(a.path("AwsAccountId").asText()).matches("\\d{12}");
        assertThat(a.path("Types"))
                .isNotEmpty()
                .hasSizeLessThanOrEqualTo(50)
                .allSatisfy(t -> assertTaxonomy(t.asText()));
        assertThat(a.path("ProductFields").path("layerwatch/attack/techniques").asText())
                .isEqualTo(
                        String.join(
                                ",", f.attack().stream().map(AttackTechnique::technique).toList()));
        assertThat(Instant.parse(a.path("CreatedAt").asText())).isEqualTo(f.firstEventTime());
        assertThat(Instant.parse(a.path("UpdatedAt").asText())).isEqualTo(f.lastEventTime());
        assertThat(a.path("FirstObservedAt")).isEqualTo(a.path("CreatedAt"));
        assertThat(a.path("LastObservedAt")).isEqualTo(a.path("UpdatedAt"));
        assertThat(a.path("Severity").path("Label").asText()).isEqualTo(f.severity().name());
        assertThat(a.path("Title").asText()).isNotBlank().hasSizeLessThanOrEqualTo(256);
        assertThat(a.path("Description").asText()).isNotBlank().hasSizeLessThanOrEqualTo(1024);
        assertThat(a.path("Resources"))
                .isNotEmpty()
                .hasSizeLessThanOrEqualTo(32)
                .allSatisfy(
                        r -> {
                            assertThat(r.path("Type").asText()).isNotBlank();
                            assertThat(r.path("Id").asText()).isNotBlank();
                        });
        assertThat(a.path("FindingProviderFields").path("Types")).isEqualTo(a.path("Types"));
        assertThat(a.path("FindingProviderFields").path("Severity")).isEqualTo(a.path("Severity"));
        assertThat(a.path("Remediation").path("Recommendation").path("Text").asText())
                .isNotBlank()
                .hasSizeLessThanOrEqualTo(512);
        assertThat(a.path("ProductFields").size()).isBetween(1, 40);
        a.path("ProductFields")
                .fields()
                .forEachRemaining(
                        e -> {
                            assertThat(e.getKey()).hasSizeLessThanOrEqualTo(128);
                            assertThat(e.getValue().isTextual()).isTrue();
                            assertThat(e.getValue().asText()).hasSizeLessThanOrEqualTo(2048);
                        });
    }

    /** A finding of {@code ruleId} from one CloudTrail record, via FindingBuilder. */
    static Finding built(String ruleId, CloudTrailRecords.Builder record) {
        return FindingBuilder.of(RulesConfigLoader.builtIn().rule(ruleId))
                .event(record.event())
                .title("t")
                .description("d")
                .build();
    }

    @Test
    void everyRuleOfTheDemoStoryMapsToValidAsff() throws Exception {
        Set<String> rules = new TreeSet<>();
        for (Finding f : demoFindings()) {
            String json = MAPPER.toJson(f);
            assertRequiredAttributes(Json.tree(json), f);
            assertThat(json.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(240_000);
            AwsSecurityFinding sdk = SdkModelConverter.toSecurityFinding(json);
            assertThat(sdk.id()).isEqualTo(f.id());
            assertThat(sdk.severity().labelAsString()).isEqualTo(f.severity().name());
            rules.add(f.ruleId());
        }
        Set<String> all = new TreeSet<>();
        RuleCatalog.ids().forEach(all::add);
        assertThat(rules).isEqualTo(all);
    }

    @Test
    void typesPerRuleComeFromTheTaxonomy() {
        String collection = "TTPs/Collection/T1530 Data from Cloud Storage";
        String cloudAccounts = "TTPs/Initial Access/T1078.004 Valid Accounts: Cloud Accounts";
        String disableTools =
                "TTPs/Defense Evasion/T1562.001 Impair Defenses: Disable or Modify Tools";
        String implant = "TTPs/Persistence/T1525 Implant Internal Image";
        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put(RuleCatalog.LAYER_DOWNLOAD, List.of("TTPs/Collection", collection));
        expected.put(
                RuleCatalog.LAYER_DOWNLOAD_BURST,
                List.of(
                        "TTPs/Collection",
                        collection,
                        "Effects/Data Exfiltration",
                        "Unusual Behaviors/User"));
        expected.put(
                RuleCatalog.UNTRUSTED_NETWORK,
                List.of(
                        "TTPs/Initial Access",
                        cloudAccounts,
                        "TTPs/Collection",
                        collection,
                        "Unusual Behaviors/IP address",
                        "Effects/Data Exfiltration"));
        expected.put(
                RuleCatalog.CREDENTIAL_NETWORK_HOP,
                List.of(
                        "TTPs/Credential Access",
                        "TTPs/Credential Access/T1552.005 Unsecured Credentials: Cloud Instance Metadata API",
                        "TTPs/Initial Access",
                        cloudAccounts,
                        "Unusual Behaviors/IP address"));
        expected.put(
                RuleCatalog.REPOSITORY_EXPOSED,
                List.of(
                        "Effects/Data Exfiltration",
                        "Effects/Data Exposure",
                        "Software and Configuration Checks/AWS Security Best Practices"));
        expected.put(
                RuleCatalog.ENDGAME_IOC,
                List.of(
                        "Effects/Data Exfiltration",
                        "TTPs/Persistence",
                        "TTPs/Persistence/T1098 Account Manipulation",
                        "Effects/Data Exposure"));
        expected.put(
                RuleCatalog.POLICY_DELETED,
                List.of(
                        "TTPs/Defense Evasion",
                        disableTools,
                        "Software and Configuration Checks/AWS Security Best Practices"));
        expected.put(
                RuleCatalog.VULNERABLE_IMAGE_SCAN,
                List.of(
                        "TTPs/Initial Access",
                        "TTPs/Initial Access/T1195.002 Supply Chain Compromise: Compromise Software Supply Chain",
                        "Software and Configuration Checks/Vulnerabilities/CVE"));
        expected.put(
                RuleCatalog.POLICY_CHANGE_AFTER_SCAN,
                List.of(
                        "TTPs/Defense Evasion",
                        disableTools,
                        "TTPs/Persistence",
                        implant,
                        "Effects/Data Exposure",
                        "Software and Configuration Checks/Vulnerabilities/CVE"));
        expected.put(
                RuleCatalog.FIRST_SEEN_PULLER,
                List.of(
                        "TTPs/Initial Access",
                        cloudAccounts,
                        "TTPs/Collection",
                        collection,
                        "Unusual Behaviors/User"));
        expected.put(
                RuleCatalog.REPLICATION_TO_FOREIGN_ACCOUNT,
                List.of("Effects/Data Exfiltration", "TTPs/Persistence"));
        expected.put(
                RuleCatalog.ACCESS_DENIED_BURST,
                List.of(
                        "TTPs/Discovery",
                        "TTPs/Discovery/T1613 Container and Resource Discovery",
                        "TTPs/Discovery/T1580 Cloud Infrastructure Discovery",
                        "Unusual Behaviors/User"));
        expected.put(
                RuleCatalog.REGISTRY_NOT_ASSESSED,
                List.of(
                        "TTPs/Persistence",
                        implant,
                        "Software and Configuration Checks/AWS Security Best Practices"));
        expected.put(
                RuleCatalog.UNEXPECTED_IMAGE_PUSH,
                List.of("TTPs/Persistence", implant, "Unusual Behaviors/User"));
        expected.put(
                RuleCatalog.IMAGE_TAG_OVERWRITE,
                List.of(
                        "TTPs/Persistence",
                        implant,
                        "Software and Configuration Checks/AWS Security Best Practices"));
        expected.put(
                RuleCatalog.REPOSITORY_ENUMERATION, expected.get(RuleCatalog.ACCESS_DENIED_BURST));
        expected.put(
                RuleCatalog.PULL_THROUGH_CACHE_UNTRUSTED,
                List.of(
                        "TTPs/Initial Access",
                        "TTPs/Initial Access/T1195.002 Supply Chain Compromise: Compromise Software Supply Chain",
                        "Software and Configuration Checks/AWS Security Best Practices"));
        expected.put(
                RuleCatalog.GUARDRAIL_WEAKENED_THEN_PUSH,
                List.of(
                        "TTPs/Defense Evasion",
                        disableTools,
                        "TTPs/Persistence",
                        implant,
                        "Software and Configuration Checks/AWS Security Best Practices"));
        expected.put(
                RuleCatalog.MASS_DELETION,
                List.of("Effects/Data Destruction", "Unusual Behaviors/User"));
        expected.put(
                RuleCatalog.WORKLOAD_CREDENTIALS_OUTSIDE,
                expected.get(RuleCatalog.CREDENTIAL_NETWORK_HOP));
        // no techniques of its own: an incident's Types come from its members'
        // (SecurityHubIncidentIT)
        expected.put(RuleCatalog.ATTACK_SEQUENCE, List.of("TTPs"));
        RuleCatalog.ids()
                .forEach(id -> assertThat(AsffMapper.types(id)).as(id).isEqualTo(expected.get(id)));
        assertThat(AsffMapper.types("some-future-rule")).containsExactly("Unusual Behaviors");
    }

    /**
     * Every type is namespace, namespace/category or namespace/category/classifier of the taxonomy.
     */
    static void assertTaxonomy(String type) {
        String[] parts = type.split("/", -1);
        assertThat(parts.length).as(type).isBetween(1, 3);
        if (parts.length == 3 && parts[0].equals("TTPs")) {
            assertThat(TAXONOMY).as(type).contains(parts[0] + "/" + parts[1]);
            assertThat(parts[2]).as(type).matches("T\\d{4}(\\.\\d{3})? \\S.*");
        } else {
            assertThat(TAXONOMY).as(type).contains(type);
        }
    }

    @Test
    void findingsCarryTheirAttackTechniquesAsTypesAndProductFields() throws Exception {
        JsonNode burst = asff(demoFinding(RuleCatalog.LAYER_DOWNLOAD_BURST));
        assertThat(burst.path("Types"))
                .extracting(JsonNode::asText)
                .contains(
                        "TTPs/Collection/T1530 Data from Cloud Storage",
                        "Effects/Data Exfiltration")
                .noneMatch(t -> t.contains("Exfiltration/T1537"));
        assertThat(burst.path("ProductFields").path("layerwatch/attack/techniques").asText())
                .isEqualTo("T1530,T1537");
        assertThat(burst.path("ProductFields").path("layerwatch/attack/tactics").asText())
                .isEqualTo("TA0009,TA0010");

        JsonNode hop = asff(demoFinding(RuleCatalog.CREDENTIAL_NETWORK_HOP));
        assertThat(hop.path("ProductFields").path("layerwatch/attack/techniques").asText())
                .isEqualTo("T1552.005,T1078.004");
        assertThat(hop.path("ProductFields").path("layerwatch/attack/tactics").asText())
                .isEqualTo("TA0006,TA0001");
        assertThat(hop.path("FindingProviderFields").path("Types").toString())
                .contains(
                        "TTPs/Credential Access/T1552.005 Unsecured Credentials: Cloud Instance Metadata API");
    }

    @Test
    void theTypesFollowTheFindingsOwnTechniques() {
        Finding denied =
                built(
                        RuleCatalog.ACCESS_DENIED_BURST,
                        record("BatchGetImage").repositoryName("app"));
        AttackTechnique impact =
                new AttackTechnique("T1485", "Data Destruction", "TA0040", "Impact");
        Finding destroyed =
                new Finding(
                        denied.id(),
                        denied.ruleId(),
                        denied.severity(),
                        denied.title(),
                        denied.description(),
                        denied.accountId(),
                        denied.region(),
                        denied.principal(),
                        denied.repository(),
                        denied.sourceIp(),
                        denied.userAgent(),
                        denied.firstEventTime(),
                        denied.lastEventTime(),
                        denied.eventCount(),
                        denied.key(),
                        denied.eventIds(),
                        denied.details(),
                        denied.evidence(),
                        List.of(impact));
        assertThat(asff(destroyed).path("Types"))
                .extracting(JsonNode::asText)
                .containsExactly("Effects/Data Destruction", "Unusual Behaviors/User");
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
        JsonNode unknown = asff(other);
        assertThat(unknown.path("Types"))
                .extracting(JsonNode::asText)
                .containsExactly("Unusual Behaviors");
        assertThat(unknown.path("ProductFields").has("layerwatch/attack/techniques")).isFalse();
    }

    @Test
    void attackFieldsSurviveTheFieldCapAndTrimming() {
        FindingBuilder b =
                FindingBuilder.of(RulesConfigLoader.builtIn().rule(RuleCatalog.POLICY_DELETED))
                        .event(record("DeleteRepositoryPolicy").repositoryName("app").event())
                        .title("t")
                        .description("d");
        IntStream.range(0, 60).forEach(i -> b.detail("d" + i, "z".repeat(2000)));
        String json = new AsffMapper(null, null, null, 20_000).toJson(b.build());
        JsonNode fields = Json.tree(json).path("ProductFields");
        assertThat(fields.size()).isLessThanOrEqualTo(40);
        assertThat(fields.path("layerwatch/trimmedFields").asInt()).isPositive();
        assertThat(fields.path("layerwatch/attack/techniques").asText()).isEqualTo("T1562.001");
        assertThat(fields.path("layerwatch/attack/tactics").asText()).isEqualTo("TA0005");
    }

    @Test
    void layerDownloadNamesRepositoryRoleAndNetwork() throws Exception {
        Finding f =
                demoFindings().stream()
                        .filter(
                                x ->
                                        x.ruleId().equals(RuleCatalog.LAYER_DOWNLOAD)
                                                && "payments-api".equals(x.repository().name()))
                        .findFirst()
                        .orElseThrow();
        JsonNode a = asff(f);
        assertThat(a.path("ProductArn").asText())
                .isEqualTo(
                        "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default");
        assertThat(a.path("AwsAccountId").asText()).isEqualTo("111122223333");
        JsonNode repo = a.path("Resources").get(0);
        assertThat(repo.path("Type").asText()).isEqualTo("AwsEcrRepository");
        assertThat(repo.path("Id").asText())
                .isEqualTo("arn:aws:ecr:us-east-1:111122223333:repository/payments-api");
        assertThat(repo.path("Partition").asText()).isEqualTo("aws");
        assertThat(repo.path("Region").asText()).isEqualTo("us-east-1");
        assertThat(repo.path("Details").path("AwsEcrRepository").path("RepositoryName").asText())
                .isEqualTo("payments-api");
        JsonNode role = a.path("Resources").get(1);
        assertThat(role.path("Type").asText()).isEqualTo("AwsIamRole");
        assertThat(role.path("Id").asText())
                .isEqualTo(f.principal().arn())
                .startsWith("arn:aws:iam::");
        assertThat(role.path("Details").path("AwsIamRole").path("RoleName").asText())
                .isEqualTo(f.principal().name());
        assertThat(a.path("Network").path("Direction").asText()).isEqualTo("IN");
        assertThat(a.path("Network").path("SourceIpV4").asText()).isEqualTo(f.sourceIp());
        JsonNode fields = a.path("ProductFields");
        assertThat(fields.path("layerwatch/ruleId").asText()).isEqualTo("layer-download");
        assertThat(fields.path("layerwatch/key").asText()).isEqualTo(f.key());
        assertThat(fields.path("layerwatch/eventCount").asText()).isEqualTo("1");
        assertThat(fields.path("layerwatch/eventIds").asText()).isEqualTo(f.eventIds().get(0));
        assertThat(fields.path("layerwatch/version").asText()).isNotBlank();
        assertThat(fields.path("layerwatch/details/layerDigest").asText()).startsWith("sha256:");
        assertThat(a.path("Compliance").path("RelatedRequirements").toString())
                .contains("NIST.800-53.r5 AC-3", "PCI DSS v4.0.1/7.2.1");
        assertThat(a.path("Compliance").has("Status")).isFalse();
    }

    @Test
    void scansAddTheContainerImageAndFailTheCheck() throws Exception {
        JsonNode scan = asff(demoFinding(RuleCatalog.VULNERABLE_IMAGE_SCAN));
        JsonNode image = scan.path("Resources").get(1);
        assertThat(image.path("Type").asText()).isEqualTo("AwsEcrContainerImage");
        String digest =
                image.path("Details").path("AwsEcrContainerImage").path("ImageDigest").asText();
        assertThat(digest).startsWith("sha256:");
        assertThat(image.path("Id").asText())
                .isEqualTo(scan.path("Resources").get(0).path("Id").asText() + "/" + digest);
        assertThat(
                        image.path("Details")
                                .path("AwsEcrContainerImage")
                                .path("RepositoryName")
                                .asText())
                .isNotBlank();
        assertThat(scan.path("Compliance").path("Status").asText()).isEqualTo("FAILED");
        assertThat(scan.path("Compliance").path("RelatedRequirements").toString())
                .contains("NIST.800-53.r5 RA-5");

        JsonNode change = asff(demoFinding(RuleCatalog.POLICY_CHANGE_AFTER_SCAN));
        assertThat(change.path("Resources").findValuesAsText("Type"))
                .contains("AwsEcrRepository", "AwsEcrContainerImage");
    }

    @Test
    void registryWideFindingsNameTheAccount() throws Exception {
        JsonNode a = asff(demoFinding(RuleCatalog.REPLICATION_TO_FOREIGN_ACCOUNT));
        JsonNode account = a.path("Resources").get(0);
        assertThat(account.path("Type").asText()).isEqualTo("AwsAccount");
        assertThat(account.path("Id").asText()).isEqualTo("AWS::::Account:111122223333");
        assertThat(a.path("Compliance").path("Status").asText()).isEqualTo("FAILED");
    }

    @Test
    void principalsBecomeIamUsersOrOther() {
        JsonNode user =
                asff(
                        built(
                                RuleCatalog.POLICY_DELETED,
                                record("DeleteRepositoryPolicy")
                                        .repositoryName("app")
                                        .iamUser(ACCOUNT, "deployer")));
        assertThat(user.path("Resources").get(1).path("Type").asText()).isEqualTo("AwsIamUser");
        assertThat(user.path("Resources").get(1).path("Id").asText())
                .isEqualTo("arn:aws:iam::111122223333:user/deployer");
        assertThat(
                        user.path("Resources")
                                .get(1)
                                .path("Details")
                                .path("AwsIamUser")
                                .path("UserName")
                                .asText())
                .isEqualTo("deployer");

        JsonNode root =
                asff(
                        built(
                                RuleCatalog.POLICY_DELETED,
                                record("DeleteRegistryPolicy").root(ACCOUNT)));
        assertThat(root.path("Resources").get(0).path("Type").asText()).isEqualTo("AwsAccount");
        JsonNode other = root.path("Resources").get(1);
        assertThat(other.path("Type").asText()).isEqualTo("Other");
        assertThat(other.path("Id").asText()).isEqualTo("arn:aws:iam::111122223333:root");
        assertThat(other.path("Details").path("Other").path("principalType").asText())
                .isEqualTo("Root");

        JsonNode service =
                asff(
                        built(
                                RuleCatalog.POLICY_DELETED,
                                record("DeleteRepositoryPolicy")
                                        .repositoryName("app")
                                        .awsService("ecr.amazonaws.com")));
        assertThat(service.path("Resources").get(1).path("Id").asText())
                .isEqualTo("service:ecr.amazonaws.com");
        assertThat(service.has("Network")).isFalse();
    }

    @Test
    void networkOnlyForIpLiterals() {
        assertThat(AsffMapper.network("198.51.100.7").path("SourceIpV4").asText())
                .isEqualTo("198.51.100.7");
        assertThat(AsffMapper.network("2001:db8::1").path("SourceIpV6").asText())
                .isEqualTo("2001:db8::1");
        assertThat(AsffMapper.network("2001:db8::1").path("Direction").asText()).isEqualTo("IN");
        for (String notIp :
                new String[] {
                    "AWS Internal", "ecr.amazonaws.com", "300.1.1.1", "1.2.3", "::g", "", null
                }) {
            assertThat(AsffMapper.network(notIp)).as(notIp).isNull();
        }
        JsonNode v6 =
                asff(
                        built(
                                RuleCatalog.POLICY_DELETED,
                                record("DeleteRepositoryPolicy")
                                        .repositoryName("app")
                                        .sourceIp("2001:db8::7")));
        assertThat(v6.path("Network").path("SourceIpV6").asText()).isEqualTo("2001:db8::7");
    }

    @Test
    void hubAccountAndRegionOverrideProductArnAndAccount() {
        Finding f =
                built(
                        RuleCatalog.POLICY_DELETED,
                        record("DeleteRepositoryPolicy").repositoryName("app").region("eu-west-1"));
        JsonNode a = asff(f);
        assertThat(a.path("ProductArn").asText())
                .isEqualTo(
                        "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default");
        JsonNode hub = Json.tree(new AsffMapper("777788889999", "us-east-2", null).toJson(f));
        assertThat(hub.path("ProductArn").asText())
                .isEqualTo(
                        "arn:aws:securityhub:us-east-2:777788889999:product/777788889999/default");
        assertThat(hub.path("AwsAccountId").asText()).isEqualTo("777788889999");
        assertThat(hub.path("ProductFields").path("layerwatch/accountId").asText())
                .isEqualTo(ACCOUNT);
        assertThat(hub.path("Resources").get(0).path("Id").asText())
                .isEqualTo("arn:aws:ecr:eu-west-1:111122223333:repository/app");

        JsonNode gov =
                asff(
                        built(
                                RuleCatalog.POLICY_DELETED,
                                record("DeleteRepositoryPolicy")
                                        .repositoryName("app")
                                        .region("us-gov-west-1")));
        assertThat(gov.path("ProductArn").asText())
                .startsWith("arn:aws-us-gov:securityhub:us-gov-west-1:");
        assertThat(gov.path("Resources").get(0).path("Partition").asText()).isEqualTo("aws-us-gov");
    }

    @Test
    void reimportingAFindingSendsTheSameAsff() throws Exception {
        Finding burst = demoFinding(RuleCatalog.LAYER_DOWNLOAD_BURST);
        assertThat(MAPPER.toJson(burst)).isEqualTo(MAPPER.toJson(burst));
    }

    @Test
    void aFoldedUpdateMovesUpdatedAtButKeepsIdAndCreatedAt() throws Exception {
        Finding burst = demoFinding(RuleCatalog.LAYER_DOWNLOAD_BURST);
        Finding later =
                burst.withUpdate(
                        burst.eventCount() + 5,
                        burst.lastEventTime().plusSeconds(90),
                        burst.eventIds(),
                        burst.details(),
                        burst.evidence());
        JsonNode before = asff(burst);
        JsonNode after = asff(later);
        assertThat(after.path("Id")).isEqualTo(before.path("Id"));
        assertThat(after.path("CreatedAt")).isEqualTo(before.path("CreatedAt"));
        assertThat(Instant.parse(after.path("UpdatedAt").asText()))
                .isAfter(Instant.parse(before.path("UpdatedAt").asText()));
        assertThat(after.path("ProductFields").path("layerwatch/eventCount").asText())
                .isEqualTo(String.valueOf(burst.eventCount() + 5));
    }

    @Test
    void longTextIsCutSafelyWithinTheLimits() {
        String emoji = "\uD83D\uDC33"; // a surrogate pair
        String title = "x".repeat(254) + emoji + "tail";
        Finding f =
                FindingBuilder.of(RulesConfigLoader.builtIn().rule(RuleCatalog.POLICY_DELETED))
                        .event(record("DeleteRepositoryPolicy").repositoryName("app").event())
                        .title(title)
                        .description("line one\nline two " + "y".repeat(5000))
                        .build();
        JsonNode a = asff(f);
        String cutTitle = a.path("Title").asText();
        assertThat(cutTitle).hasSize(255).endsWith("x\u2026");
        assertThat(Character.isHighSurrogate(cutTitle.charAt(cutTitle.length() - 2))).isFalse();
        assertThat(a.path("Description").asText())
                .hasSize(1024)
                .startsWith("line one line two")
                .endsWith("\u2026");
    }

    @Test
    void productFieldsAreCappedInCountKeyAndValue() {
        FindingBuilder b =
                FindingBuilder.of(RulesConfigLoader.builtIn().rule(RuleCatalog.POLICY_DELETED))
                        .title("t")
                        .description("d");
        IntStream.range(0, 120)
                .forEach(
                        i ->
                                b.event(
                                        record("DeleteRepositoryPolicy")
                                                .repositoryName("app")
                                                .time(CloudTrailRecords.TIME.plusSeconds(i))
                                                .event()));
        b.detail("k".repeat(300), "v");
        IntStream.range(0, 60).forEach(i -> b.detail("d" + i, "z".repeat(3000)));
        JsonNode fields = asff(b.build()).path("ProductFields");
        assertThat(fields.size()).isEqualTo(40);
        fields.fields()
                .forEachRemaining(
                        e -> {
                            assertThat(e.getKey()).hasSizeLessThanOrEqualTo(128);
                            assertThat(e.getValue().asText()).hasSizeLessThanOrEqualTo(2048);
                        });
        assertThat(fields.path("layerwatch/eventCount").asText()).isEqualTo("120");
        assertThat(fields.path("layerwatch/eventIds").asText())
                .matches("[0-9a-f-]+(,[0-9a-f-]+)+,\\+\\d+ more");
    }

    @Test
    void oversizeFindingsShedDetailsBeforeAnythingElse() {
        FindingBuilder b =
                FindingBuilder.of(RulesConfigLoader.builtIn().rule(RuleCatalog.POLICY_DELETED))
                        .event(record("DeleteRepositoryPolicy").repositoryName("app").event())
                        .title("t")
                        .description("d");
        IntStream.range(0, 10).forEach(i -> b.detail("d" + i, "z".repeat(2000)));
        Finding f = b.build();
        String json = new AsffMapper(null, null, null, 8_000).toJson(f);
        assertThat(json.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(8_000);
        JsonNode fields = Json.tree(json).path("ProductFields");
        assertThat(fields.path("layerwatch/trimmedFields").asInt()).isPositive();
        assertThat(fields.has("layerwatch/details/d0")).isTrue();
        assertThat(fields.has("layerwatch/details/d9")).isFalse();
        assertRequiredAttributes(Json.tree(json), f);
    }

    @Test
    void theDefaultComplianceMappingCoversEveryRuleWithoutDuplicates() {
        assertThat(AsffMapper.defaultCompliance().keySet())
                .containsExactlyElementsOf(RuleCatalog.ids());
        assertThat(AsffMapper.defaultCompliance().get(RuleCatalog.LAYER_DOWNLOAD))
                .contains("NIST.800-53.r5 AC-3", "NIST.800-53.r5 AU-6", "PCI DSS v4.0.1/7.2.1");
        assertNoDuplicates(AsffMapper.defaultCompliance());
    }

    static Finding policyDeleted() {
        return built(
                RuleCatalog.POLICY_DELETED, record("DeleteRepositoryPolicy").repositoryName("app"));
    }

    @Test
    void aReplacedComplianceMappingIsCappedAt32Requirements() {
        List<String> many = IntStream.range(0, 40).mapToObj(i -> "CUSTOM-" + i).toList();
        JsonNode custom =
                Json.tree(
                        new AsffMapper(null, null, Map.of(RuleCatalog.POLICY_DELETED, many))
                                .toJson(policyDeleted()));
        assertThat(custom.path("Compliance").path("RelatedRequirements")).hasSize(32);
        assertThat(custom.path("Compliance").path("RelatedRequirements").get(0).asText())
                .isEqualTo("CUSTOM-0");
    }

    @Test
    void aRuleTheMappingLeavesOutHasNoCompliance() {
        JsonNode none = Json.tree(new AsffMapper(null, null, Map.of()).toJson(policyDeleted()));
        assertThat(none.has("Compliance")).isFalse();
    }

    @Test
    void aFailedCheckKeepsItsComplianceStatusWithoutRequirements() {
        Finding scan =
                built(
                        RuleCatalog.REPOSITORY_EXPOSED,
                        record("SetRepositoryPolicy").repositoryName("app"));
        JsonNode statusOnly = Json.tree(new AsffMapper(null, null, Map.of()).toJson(scan));
        assertThat(statusOnly.path("Compliance").path("Status").asText()).isEqualTo("FAILED");
        assertThat(statusOnly.path("Compliance").has("RelatedRequirements")).isFalse();
    }

    static void assertNoDuplicates(Map<String, List<String>> mapping) {
        mapping.forEach(
                (rule, ids) ->
                        assertThat(ids)
                                .as(rule)
                                .doesNotHaveDuplicates()
                                .hasSizeLessThanOrEqualTo(32));
    }

    @Test
    void mapperTravelsInTheJobGraph() throws Exception {
        AsffMapper m = new AsffMapper("777788889999", "eu-west-1", Map.of("x", List.of("y")));
        AsffMapper copy = JavaSerialization.roundTrip(m);
        Finding f =
                built(
                        RuleCatalog.POLICY_DELETED,
                        record("DeleteRepositoryPolicy").repositoryName("app"));
        assertThat(copy.toJson(f)).isEqualTo(m.toJson(f));
    }

    /**
     * Writes one complete finding (the credential hop of the demo story) to target/examples/ and
     * checks that the checked-in example (linked from docs/sinks.md) is that same finding,
     * attribute by attribute (copy the generated file over when the mapping changes on purpose).
     */
    @Test
    void exampleForTheReadme() throws Exception {
        Finding f = demoFinding(RuleCatalog.CREDENTIAL_NETWORK_HOP);
        JsonNode generated = asff(f);
        Path out = Path.of("target/examples/asff-example.json");
        Files.createDirectories(out.getParent());
        Files.writeString(
                out,
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(generated) + "\n");
        assertThat(Files.exists(EXAMPLE)).as(EXAMPLE + " (copy it from " + out + ")").isTrue();
        JsonNode example = Json.tree(Files.readString(EXAMPLE));
        SdkModelConverter.toSecurityFinding(example.toString());
        Set<String> exampleKeys = new TreeSet<>();
        example.fieldNames().forEachRemaining(exampleKeys::add);
        Set<String> generatedKeys = new TreeSet<>();
        generated.fieldNames().forEachRemaining(generatedKeys::add);
        assertThat(exampleKeys).isEqualTo(generatedKeys);
        assertThat(example.path("Id")).isEqualTo(generated.path("Id"));
        assertThat(example.path("Resources").findValuesAsText("Type"))
                .isEqualTo(generated.path("Resources").findValuesAsText("Type"));
        assertThat(Severity.valueOf(example.path("Severity").path("Label").asText()))
                .isEqualTo(f.severity());
        assertThat(
                        generated.path("Resources").findValuesAsText("Type").stream()
                                .collect(Collectors.toSet()))
                .contains("AwsEcrRepository", "AwsIamRole");
    }
}
