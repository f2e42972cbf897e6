package io.layerwatch.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.pipeline.InputScope;
import io.layerwatch.replay.InputFile;
import io.layerwatch.replay.InputFiles;
import io.layerwatch.replay.Replay;
import io.layerwatch.replay.S3Inputs;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated trail replayed through the real pipeline (Replay.run on a local MiniCluster): every
 * label is found, and benign traffic produces nothing.
 */
class GeneratedTrailIT {

    /**
     * The findings of a replay of {@code trail} with the rules file {@code rules} (null: built-in
     * defaults).
     */
    static List<JsonNode> replay(Path trail, Path rules, Path out, Replay.Summary[] summary)
            throws Exception {
        S3Inputs s3 = new S3Inputs(null);
        List<InputFile> files =
                InputFiles.expand(List.of(trail.toString()), InputScope.ALL, null, s3);
        summary[0] =
                Replay.run(
                        files,
                        RulesConfigLoader.load(rules),
                        InputScope.ALL,
                        out,
                        2,
                        Set.of(),
                        false,
                        s3,
                        null);
        List<JsonNode> findings = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(Replay.FINDINGS))) {
            findings.add(Json.tree(line));
        }
        return findings;
    }

    static boolean matches(JsonNode f, Label l) {
        Instant first = Instant.parse(f.path("firstEventTime").asText());
        Instant last = Instant.parse(f.path("lastEventTime").asText());
        return f.path("ruleId").asText().equals(l.ruleId())
                && f.path("principal").path("arn").asText().equals(l.principal())
                && (l.repository() == null
                        || l.repository().equals(f.path("repository").path("name").asText(null)))
                && !first.isBefore(l.start())
                && !last.isAfter(l.end());
    }

    /** A labelled trail (every scenario injected twice), generated once for the tests below. */
    static Generator.Report labelled;

    /** The summary and findings of one replay of {@link #labelled} under its rules file. */
    static Replay.Summary labelledSummary;

    static List<JsonNode> labelledFindings;

    @BeforeAll
    static void replayALabelledTrail(@TempDir Path dir) throws Exception {
        Path trail = dir.resolve("trail");
        labelled =
                Generator.write(
                        trail, GeneratorOptions.of(30_000, 11).withInjections(2).withEcrShare(0.2));
        Replay.Summary[] summary = new Replay.Summary[1];
        labelledFindings =
                replay(trail, trail.resolve(Generator.RULES), dir.resolve("out"), summary);
        labelledSummary = summary[0];
    }

    @Test
    void everyRuleHasALabelInTheTrail() {
        assertThat(labelled.labels()).extracting(Label::ruleId).containsAll(RuleCatalog.ids());
    }

    @Test
    void theReplayReadsEveryRecordWithNothingDeadLetteredOrLate() {
        assertThat(labelledSummary.deadLettered())
                .as("nothing undecodable, labels and rules not read")
                .isZero();
        assertThat(labelledSummary.late())
                .as("records out of order only within the lateness bound")
                .isZero();
        assertThat(labelledSummary.eventsRead()).isEqualTo(labelled.records());
    }

    @Test
    void everyLabelIsFound() {
        for (Label label : labelled.labels()) {
            assertThat(labelledFindings)
                    .as("a finding for %s", label)
                    .anyMatch(f -> matches(f, label));
        }
        assertIncidentPerMultiStepScenario(labelled.labels(), labelledFindings);
    }

    @Test
    void benignPrincipalsStayQuiet() {
        Set<String> principals =
                labelled.labels().stream().map(Label::principal).collect(Collectors.toSet());
        Set<String> repositories = new HashSet<>();
        labelled.labels().stream().map(Label::repository).forEach(repositories::add);
        for (JsonNode f : labelledFindings) {
            String principal = f.path("principal").path("arn").asText();
            assertThat(principals)
                    .as("principal of %s", f.path("title").asText())
                    .contains(principal);
            if (principal.startsWith("service:")) {
                // scan findings carry the scanning service: the repository tells the scenario
                assertThat(repositories)
                        .as("repository of %s", f.path("title").asText())
                        .contains(f.path("repository").path("name").asText());
            }
        }
    }

    /**
     * Every injection whose principal got findings of two rules or more, one of them HIGH or above,
     * within it (the attack-chain scenario, and others that take several steps) is in one incident
     * of that principal, which lists those findings; there is no other incident.
     */
    static void assertIncidentPerMultiStepScenario(List<Label> labels, List<JsonNode> findings) {
        List<JsonNode> incidents =
                findings.stream()
                        .filter(f -> f.path("ruleId").asText().equals(RuleCatalog.ATTACK_SEQUENCE))
                        .toList();
        Set<String> expected = new HashSet<>();
        for (Label label : labels) {
            List<JsonNode> steps =
                    findings.stream()
                            .filter(
                                    f ->
                                            !f.path("ruleId")
                                                            .asText()
                                                            .equals(RuleCatalog.ATTACK_SEQUENCE)
                                                    && f.path("principal")
                                                            .path("arn")
                                                            .asText()
                                                            .equals(label.principal())
                                                    && !f.path("principal")
                                                            .path("arn")
                                                            .asText()
                                                            .startsWith("service:")
                                                    && RuleCatalog.find(f.path("ruleId").asText())
                                                                    .orElseThrow()
                                                                    .story()
                                                            != null
                                                    && !Instant.parse(
                                                                    f.path("firstEventTime")
                                                                            .asText())
                                                            .isBefore(label.start())
                                                    && !Instant.parse(
                                                                    f.path("lastEventTime")
                                                                            .asText())
                                                            .isAfter(label.end()))
                            .toList();
            boolean multiStep =
                    steps.stream().map(f -> f.path("ruleId").asText()).distinct().count() >= 2
                            && steps.stream()
                                    .anyMatch(
                                            f ->
                                                    Severity.valueOf(f.path("severity").asText())
                                                            .atLeast(Severity.HIGH));
            assertThat(multiStep || !label.scenario().equals(Scenario.ATTACK_CHAIN.id()))
                    .as("%s takes steps", label)
                    .isTrue();
            if (!multiStep) {
                continue;
            }
            expected.add(label.principal());
            assertThat(incidents)
                    .as("an incident for %s", label)
                    .anySatisfy(
                            i -> {
                                assertThat(i.path("principal").path("arn").asText())
                                        .isEqualTo(label.principal());
                                Set<String> members = new HashSet<>();
                                i.path("details")
                                        .path("memberIds")
                                        .forEach(m -> members.add(m.asText()));
                                assertThat(members)
                                        .containsAll(
                                                steps.stream()
                                                        .map(f -> f.path("id").asText())
                                                        .toList());
                            });
        }
        assertThat(incidents)
                .as("incidents of multi-step injections only")
                .allSatisfy(
                        i ->
                                assertThat(expected)
                                        .contains(i.path("principal").path("arn").asText()));
    }

    @Test
    void underTheBuiltInRulesBenignTrafficOnlyRaisesLayerDownloads(@TempDir Path dir)
            throws Exception {
        Path trail = dir.resolve("trail");
        GeneratorOptions options =
                GeneratorOptions.of(8_000, 5).withScenarios(Set.of()).withEcrShare(0.3);
        Generator.Report report = Generator.write(trail, options);
        assertThat(report.labels()).isEmpty();

        Replay.Summary[] summary = new Replay.Summary[1];
        List<JsonNode> findings = replay(trail, null, dir.resolve("out"), summary);

        assertThat(summary[0].deadLettered()).isZero();
        // layer-download reports every download by design, repository-enumeration the container
        // scanner's sweeps: the generated rules.yaml names the expected downloaders and the
        // scanner.
        String scanner = "arn:aws:iam::" + Organization.SHARED + ":role/" + Organization.SCANNER;
        assertThat(findings)
                .isNotEmpty()
                .allSatisfy(
                        f ->
                                assertThat(
                                                f.path("ruleId").asText()
                                                        + " "
                                                        + f.path("principal").path("arn").asText())
                                        .as(f.path("title").asText())
                                        .matches(
                                                RuleCatalog.LAYER_DOWNLOAD
                                                        + " .*|"
                                                        + RuleCatalog.REPOSITORY_ENUMERATION
                                                        + " "
                                                        + scanner));
    }
}
