package io.layerwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.layerwatch.finding.Finding;
import io.layerwatch.patterns.AttackSequence;
import io.layerwatch.pipeline.RuleSet;
import io.layerwatch.rules.FirstSeenPuller;
import io.layerwatch.rules.ImageTagOverwrite;
import io.layerwatch.rules.UnexpectedImagePush;
import io.layerwatch.rules.WorkloadCredentialsOutside;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The rule catalog is complete, and the docs and the default rules file say what it says. */
class RuleCatalogTest {

    static final Set<String> TACTICS =
            Set.of(
                    "TA0001 Initial Access",
                    "TA0003 Persistence",
                    "TA0005 Defense Evasion",
                    "TA0006 Credential Access",
                    "TA0007 Discovery",
                    "TA0009 Collection",
                    "TA0010 Exfiltration",
                    "TA0040 Impact");

    @Test
    void everyRuleIsCompletelyDescribed() {
        assertThat(RuleCatalog.rules()).hasSize(21);
        for (RuleCatalog.Rule r : RuleCatalog.rules()) {
            assertThat(r.defaultSeverity()).as(r.id()).isNotNull();
            // An incident's techniques are its members'.
            boolean incident = r.id().equals(RuleCatalog.ATTACK_SEQUENCE);
            assertThat(r.attack())
                    .as(r.id())
                    .hasSize(incident ? 0 : r.attack().size())
                    .doesNotHaveDuplicates();
            assertThat(incident || !r.attack().isEmpty()).as(r.id() + " has techniques").isTrue();
            assertThat(r.story() != null)
                    .as(r.id() + " is a step of an incident's story")
                    .isEqualTo(
                            !incident
                                    && !r.id().equals(RuleCatalog.VULNERABLE_IMAGE_SCAN)
                                    && !r.id().equals(RuleCatalog.REGISTRY_NOT_ASSESSED));
            for (AttackTechnique t : r.attack()) {
                assertThat(t.technique()).as(r.id()).matches("T\\d{4}(\\.\\d{3})?");
                assertThat(t.tactic()).as(r.id()).matches("TA\\d{4}");
                assertThat(TACTICS).as(r.id()).contains(t.tactic() + " " + t.tacticName());
                // ATT&CK names a sub-technique after its parent: "Valid Accounts: Cloud Accounts".
                assertThat(t.name())
                        .as(t.technique())
                        .isNotBlank()
                        .doesNotContain("/")
                        .matches(t.subTechnique() ? "[^:]+: [^:]+" : "[^:]+");
            }
            assertThat(r.asffTypes()).as(r.id()).isNotNull();
            assertThat(r.compliance()).as(r.id()).isNotEmpty().doesNotHaveDuplicates();
            assertThat(r.recommendation()).as(r.id()).isNotBlank().hasSizeLessThanOrEqualTo(512);
            assertThat(r.recommendationUrl()).as(r.id()).startsWith("https://docs.aws.amazon.com/");
            assertThat(r.params()).as(r.id()).isNotNull();
        }
        assertThat(RuleCatalog.rules())
                .extracting(RuleCatalog.Rule::recommendation)
                .doesNotHaveDuplicates();
    }

    @Test
    void oneTechniqueHasOneNameAndTacticEverywhere() {
        Map<String, AttackTechnique> seen = new LinkedHashMap<>();
        RuleCatalog.rules()
                .forEach(
                        r ->
                                r.attack()
                                        .forEach(
                                                t ->
                                                        assertThat(
                                                                        seen.putIfAbsent(
                                                                                t.technique(), t))
                                                                .as(t.technique())
                                                                .isIn(null, t)));
        assertThat(seen.keySet())
                .containsExactlyInAnyOrder(
                        "T1530",
                        "T1537",
                        "T1078.004",
                        "T1552.005",
                        "T1098",
                        "T1562.001",
                        "T1195.002",
                        "T1525",
                        "T1613",
                        "T1580",
                        "T1485");
    }

    @Test
    void subTechniquesSplitIntoParentAndOwnName() {
        AttackTechnique hop = RuleCatalog.attack(RuleCatalog.CREDENTIAL_NETWORK_HOP).get(0);
        assertThat(hop.subTechnique()).isTrue();
        assertThat(hop.parentTechnique()).isEqualTo("T1552");
        assertThat(hop.parentName()).isEqualTo("Unsecured Credentials");
        assertThat(hop.subTechniqueName()).isEqualTo("Cloud Instance Metadata API");
        AttackTechnique plain = RuleCatalog.attack(RuleCatalog.LAYER_DOWNLOAD).get(0);
        assertThat(plain.subTechnique()).isFalse();
        assertThat(plain.parentTechnique()).isEqualTo("T1530");
        assertThat(plain.parentName()).isEqualTo("Data from Cloud Storage");
        assertThat(plain.subTechniqueName()).isNull();
    }

    /** A finding as written before findings carried their techniques. */
    static final String WITHOUT_TECHNIQUES =
            """
            {"id":"a1","ruleId":"layer-download-burst","severity":"MEDIUM","title":"t","eventCount":3,
             "firstEventTime":"2024-05-01T12:00:00Z","lastEventTime":"2024-05-01T12:01:00Z"}""";

    @Test
    void aFindingWithoutTechniquesGetsItsRulesOwn() {
        Finding old = Json.read(WITHOUT_TECHNIQUES, Finding.class);
        assertThat(old.attack())
                .isEqualTo(RuleCatalog.attack(RuleCatalog.LAYER_DOWNLOAD_BURST))
                .extracting(AttackTechnique::technique)
                .containsExactly("T1530", "T1537");
        assertThat(Json.tree(Json.write(old)).path("attack"))
                .isEqualTo(
                        Json.tree(
                                """
                [{"technique":"T1530","name":"Data from Cloud Storage","tactic":"TA0009","tacticName":"Collection"},
                 {"technique":"T1537","name":"Transfer Data to Cloud Account","tactic":"TA0010",
                  "tacticName":"Exfiltration"}]"""));
        assertThat(Json.read(Json.write(old), Finding.class)).isEqualTo(old);
    }

    @Test
    void aFindingOfARuleOutsideTheCatalogHasNoTechniques() {
        Finding responder =
                Json.read(
                        WITHOUT_TECHNIQUES.replace("layer-download-burst", "remediation-failed"),
                        Finding.class);
        assertThat(responder.attack()).isEmpty();
        assertThat(Json.tree(Json.write(responder)).path("attack").isArray()).isTrue();
    }

    @Test
    void aFindingKeepsTheTechniquesItSays() {
        // What a finding says is kept, even when it differs from the catalog.
        Finding own =
                Json.read(
                        WITHOUT_TECHNIQUES.replace("\"title\"", "\"attack\":[],\"title\""),
                        Finding.class);
        assertThat(own.attack()).isEmpty();
        assertThat(own.withSeverity(Severity.HIGH))
                .satisfies(
                        f -> {
                            assertThat(f.severity()).isEqualTo(Severity.HIGH);
                            assertThat(f)
                                    .usingRecursiveComparison()
                                    .ignoringFields("severity")
                                    .isEqualTo(own);
                        });
    }

    /**
     * The README's rule table: one row per rule with its default severity and ATT&CK technique ids.
     */
    @Test
    void readmeRuleTableIsTheCatalog() throws Exception {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        List<String> header = null;
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            if (line.startsWith("| rule id |")) {
                header = cells(line);
            } else if (header != null && line.startsWith("| `")) {
                List<String> cells = cells(line);
                rows.put(cells.get(0).replace("`", ""), cells);
            } else if (header != null && !line.startsWith("|")) {
                break;
            }
        }
        assertThat(header).as("README rule table").isNotNull();
        int severity = header.indexOf("default");
        int attack = header.indexOf("ATT&CK");
        assertThat(severity).isNotNegative();
        assertThat(attack).isNotNegative();
        assertThat(rows.keySet()).containsExactlyElementsOf(RuleCatalog.ids());
        for (RuleCatalog.Rule r : RuleCatalog.rules()) {
            List<String> row = rows.get(r.id());
            assertThat(row.get(severity)).as(r.id()).isEqualTo(r.defaultSeverity().name());
            List<String> ids = new ArrayList<>();
            for (String id : row.get(attack).split(",")) {
                if (!id.isBlank() && !id.strip().equals("(its members')")) {
                    ids.add(id.strip());
                }
            }
            assertThat(ids)
                    .as(r.id())
                    .isEqualTo(r.attack().stream().map(AttackTechnique::technique).toList());
        }
    }

    /** The cells of a Markdown table row (no escaped pipes in the rule table). */
    static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        String[] parts = line.strip().split("\\|", -1);
        for (int i = 1; i < parts.length - 1; i++) {
            out.add(parts[i].strip());
        }
        return out;
    }

    @Test
    void defaultRulesFileHasTheCatalogsSeverities() throws Exception {
        JsonNode rules =
                new ObjectMapper(new YAMLFactory())
                        .readTree(Path.of("rules/layerwatch-rules.yaml").toFile())
                        .path("rules");
        RulesConfig builtIn = RulesConfigLoader.builtIn();
        for (RuleCatalog.Rule r : RuleCatalog.rules()) {
            assertThat(rules.path(r.id()).path("severity").asText())
                    .as(r.id())
                    .isEqualTo(r.defaultSeverity().name());
            assertThat(builtIn.rule(r.id()).severity()).as(r.id()).isEqualTo(r.defaultSeverity());
        }
    }

    @Test
    void everyRuleIdHasExactlyOneImplementation() {
        Set<String> implemented = new TreeSet<>();
        RuleSet.singleEventRules().forEach(r -> assertThat(implemented.add(r.id())).isTrue());
        RuleSet.cepRules().forEach(r -> assertThat(implemented.add(r.id())).isTrue());
        assertThat(implemented.add(FirstSeenPuller.ID)).isTrue();
        assertThat(implemented.add(UnexpectedImagePush.ID)).isTrue();
        assertThat(implemented.add(ImageTagOverwrite.ID)).isTrue();
        assertThat(implemented.add(WorkloadCredentialsOutside.ID)).isTrue();
        assertThat(implemented.add(AttackSequence.ID)).isTrue();
        Set<String> catalog = new TreeSet<>();
        RuleCatalog.ids().forEach(catalog::add);
        assertThat(implemented).isEqualTo(catalog);
    }
}
