package io.layerwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.finding.Finding;
import io.layerwatch.util.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rule catalog is complete, and findings carry their rule's ATT&CK techniques. */
class RuleCatalogTest {

    static final Set<String> TACTICS = Set.of("TA0001 Initial Access", "TA0003 Persistence", "TA0005 Defense Evasion",
            "TA0006 Credential Access", "TA0007 Discovery", "TA0009 Collection", "TA0010 Exfiltration", "TA0040 Impact");

    @Test
    void everyRuleIsCompletelyDescribed() {
        assertThat(RuleCatalog.rules()).hasSize(13);
        for (RuleCatalog.Rule r : RuleCatalog.rules()) {
            assertThat(r.defaultSeverity()).as(r.id()).isNotNull();
            assertThat(r.attack()).as(r.id()).isNotEmpty().doesNotHaveDuplicates();
            for (AttackTechnique t : r.attack()) {
                assertThat(t.technique()).as(r.id()).matches("T\\d{4}(\\.\\d{3})?");
                assertThat(t.tactic()).as(r.id()).matches("TA\\d{4}");
                assertThat(TACTICS).as(r.id()).contains(t.tactic() + " " + t.tacticName());
                // ATT&CK names a sub-technique after its parent: "Valid Accounts: Cloud Accounts".
                assertThat(t.name()).as(t.technique()).isNotBlank().doesNotContain("/")
                        .matches(t.subTechnique() ? "[^:]+: [^:]+" : "[^:]+");
            }
            assertThat(r.asffTypes()).as(r.id()).isNotNull();
            assertThat(r.compliance()).as(r.id()).isNotEmpty().doesNotHaveDuplicates();
            assertThat(r.recommendation()).as(r.id()).isNotBlank().hasSizeLessThanOrEqualTo(512);
            assertThat(r.recommendationUrl()).as(r.id()).startsWith("https://docs.aws.amazon.com/");
            assertThat(r.params()).as(r.id()).isNotNull();
        }
        assertThat(RuleCatalog.rules()).extracting(RuleCatalog.Rule::recommendation).doesNotHaveDuplicates();
    }

    @Test
    void oneTechniqueHasOneNameAndTacticEverywhere() {
        Map<String, AttackTechnique> seen = new LinkedHashMap<>();
        RuleCatalog.rules().forEach(r -> r.attack().forEach(t -> assertThat(seen.putIfAbsent(t.technique(), t))
                .as(t.technique()).isIn(null, t)));
        assertThat(seen.keySet()).containsExactlyInAnyOrder("T1530", "T1537", "T1078.004", "T1552.005", "T1098",
                "T1562.001", "T1195.002", "T1525", "T1613", "T1580");
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

    @Test
    void findingsCarryTheirTechniquesAndOlderOnesGetTheRulesOwn() {
        String written = """
                {"id":"a1","ruleId":"layer-download-burst","severity":"MEDIUM","title":"t","eventCount":3,
                 "firstEventTime":"2024-05-01T12:00:00Z","lastEventTime":"2024-05-01T12:01:00Z"}""";
        Finding old = Json.read(written, Finding.class);
        assertThat(old.attack()).isEqualTo(RuleCatalog.attack(RuleCatalog.LAYER_DOWNLOAD_BURST))
                .extracting(AttackTechnique::technique).containsExactly("T1530", "T1537");
        assertThat(Json.tree(Json.write(old)).path("attack")).isEqualTo(Json.tree("""
                [{"technique":"T1530","name":"Data from Cloud Storage","tactic":"TA0009","tacticName":"Collection"},
                 {"technique":"T1537","name":"Transfer Data to Cloud Account","tactic":"TA0010",
                  "tacticName":"Exfiltration"}]"""));
        assertThat(Json.read(Json.write(old), Finding.class)).isEqualTo(old);

        Finding responder = Json.read(written.replace("layer-download-burst", "remediation-failed"), Finding.class);
        assertThat(responder.attack()).isEmpty();
        assertThat(Json.tree(Json.write(responder)).path("attack").isArray()).isTrue();

        // What a finding says is kept, even when it differs from the catalog.
        Finding own = Json.read(written.replace("\"title\"", "\"attack\":[],\"title\""), Finding.class);
        assertThat(own.attack()).isEmpty();
        assertThat(own.withSeverity(Severity.HIGH)).satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f).usingRecursiveComparison().ignoringFields("severity").isEqualTo(own);
        });
    }
}
