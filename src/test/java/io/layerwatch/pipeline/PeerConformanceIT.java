package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.MiniClusters;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every case of the peers' own ECR test data (samples/peers/*.json, provenance in
 * samples/peers/README.md) replayed through the pipeline under the rules docs/detections.md names
 * for it, and its findings checked against the verdict that table gives: the table is the contract,
 * this test keeps it true.
 */
class PeerConformanceIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(1);

    static final Path DOC = Path.of("docs/detections.md");
    static final List<String> FILES =
            List.of("panther.json", "splunk.json", "prowler.json", "custodian.json");

    /** A row of the verdict table: case, rules, verdict in backticks. */
    private static final Pattern CASE_ROW =
            Pattern.compile(
                    "^\\| `([a-z]+\\.json)#(\\d+)` \\|.*\\| `([a-z-]+)` \\| `([^`]+)` \\|.*$");

    /** A row of the rules table: name, YAML in backticks. */
    private static final Pattern RULES_ROW =
            Pattern.compile("^\\| `([a-z-]+)` \\| `(rules:[^`]*|allowlist:[^`]*)` \\|.*$");

    /**
     * The account a policy document without one is judged in, per peer file (its own test
     * constant).
     */
    private static final Map<String, String> AUDITED_ACCOUNT =
            Map.of("prowler.json", "123456789012", "custodian.json", "644160558196");

    record Row(String file, int index, String rules, String verdict) {
        String id() {
            return file + "#" + index;
        }
    }

    @Test
    void everyPeerCaseGetsTheVerdictTheDetectionsTableGives() throws Exception {
        List<String> lines = Files.readAllLines(DOC);
        Map<String, RulesConfig> rules = new LinkedHashMap<>();
        rules.put("built-in", RulesConfigLoader.builtIn());
        List<Row> rows = new ArrayList<>();
        for (String line : lines) {
            Matcher r = RULES_ROW.matcher(line);
            if (r.matches()) {
                rules.put(
                        r.group(1),
                        RulesConfigLoader.fromYaml(r.group(2), DOC + " (" + r.group(1) + ")"));
            }
            Matcher c = CASE_ROW.matcher(line);
            if (c.matches()) {
                rows.add(new Row(c.group(1), Integer.parseInt(c.group(2)), c.group(3), c.group(4)));
            }
        }
        // one row per case, no more, no less
        List<String> expectedIds = new ArrayList<>();
        for (String file : FILES) {
            for (int i = 0; i < cases(file).size(); i++) {
                expectedIds.add(file + "#" + i);
            }
        }
        assertThat(rows).extracting(Row::id).containsExactlyInAnyOrderElementsOf(expectedIds);

        List<String> wrong = new ArrayList<>();
        for (Row row : rows) {
            assertThat(rules).as("rules named in " + row.id()).containsKey(row.rules());
            JsonNode peerCase = cases(row.file()).get(row.index());
            String actual =
                    verdict(
                            PipelineHarness.run(
                                            List.of(
                                                    Payload.ofBytes(
                                                            row.id(),
                                                            record(
                                                                            row.file(),
                                                                            peerCase.get("event"))
                                                                    .getBytes(
                                                                            StandardCharsets
                                                                                    .UTF_8))),
                                            rules.get(row.rules()),
                                            1)
                                    .latest()
                                    .values());
            if (!actual.equals(row.verdict())) {
                wrong.add(
                        row.id()
                                + ": table says `"
                                + row.verdict()
                                + "`, LayerWatch gives `"
                                + actual
                                + "`");
            }
        }
        assertThat(wrong).as("cases whose verdict differs from " + DOC).isEmpty();
    }

    /** "none", or each finding's rule id and severity, sorted, comma-separated. */
    static String verdict(Collection<Finding> findings) {
        if (findings.isEmpty()) {
            return "none";
        }
        return findings.stream()
                .map(f -> f.ruleId() + " " + f.severity())
                .collect(Collectors.toCollection(TreeSet::new))
                .stream()
                .collect(Collectors.joining(", "));
    }

    static List<JsonNode> cases(String file) {
        try (InputStream in =
                PeerConformanceIT.class.getResourceAsStream("/samples/peers/" + file)) {
            return Json.elements(Json.MAPPER.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The CloudTrail record a case stands for: a CloudTrail record as it is; a repository policy (a
     * policy document, an ECR GetRepositoryPolicy response, an AWS Config item's
     * RepositoryPolicyText) as the SetRepositoryPolicy that would put it in place, by an
     * administrator of the repository's account; an AWS Config item of a repository without a
     * policy as that repository's DescribeRepositories.
     */
    static String record(String file, JsonNode event) {
        if (event.has("eventName")) {
            return event.toString();
        }
        JsonNode config = event.path("configuration");
        String account =
                config.has("Arn")
                        ? config.get("Arn").asText().split(":")[4]
                        : event.has("registryId")
                                ? event.get("registryId").asText()
                                : AUDITED_ACCOUNT.get(file);
        String repository =
                config.has("RepositoryName")
                        ? config.get("RepositoryName").asText()
                        : event.path("repositoryName").asText("peer-repository");
        JsonNode policy =
                config.has("RepositoryPolicyText")
                        ? config.get("RepositoryPolicyText")
                        : event.has("policyText") ? event.get("policyText") : event;
        if (policy.isObject() && policy.isEmpty()) {
            return CloudTrailRecords.record("DescribeRepositories")
                    .assumedRole(account, "Admin", "peer")
                    .recipientAccount(account)
                    .param("repositoryNames", List.of(repository))
                    .json();
        }
        return CloudTrailRecords.record("SetRepositoryPolicy")
                .assumedRole(account, "Admin", "peer")
                .recipientAccount(account)
                .repositoryName(repository)
                .policyText(policy.isTextual() ? policy.asText() : policy.toString())
                .json();
    }
}
