package io.layerwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The incident: section and the rules' foldWindow: defaults, overrides, and errors that name file
 * and key.
 */
class IncidentSettingsTest {

    @Test
    void defaultsFoldAllButLayerDownload() {
        RulesConfig c = RulesConfigLoader.builtIn();
        assertThat(c.rule(RuleCatalog.LAYER_DOWNLOAD).duration(RuleCatalog.FOLD_WINDOW)).isZero();
        assertThat(RuleCatalog.rules())
                .filteredOn(RuleCatalog.Rule::folds)
                .hasSize(12)
                .filteredOn(r -> !r.id().equals(RuleCatalog.LAYER_DOWNLOAD))
                .allSatisfy(
                        r ->
                                assertThat(c.rule(r.id()).duration(RuleCatalog.FOLD_WINDOW))
                                        .isEqualTo(Duration.ofHours(1)));
    }

    @Test
    void defaultIncidentsCorrelateWithinSixHours() {
        RulesConfig c = RulesConfigLoader.builtIn();
        assertThat(c.incident().window()).isEqualTo(Duration.ofHours(6));
        assertThat(c.incident().minRules()).isEqualTo(2);
        assertThat(c.incident().minSeverity()).isEqualTo(Severity.HIGH);
        assertThat(c.incident().raises(List.of(RuleCatalog.REPOSITORY_EXPOSED), List.of("TA0040")))
                .isTrue();
        assertThat(c.incident().raises(List.of(RuleCatalog.REPOSITORY_EXPOSED), List.of("TA0009")))
                .isFalse();
        assertThat(c.incident().raises(List.of(RuleCatalog.POLICY_DELETED), List.of("TA0010")))
                .isTrue();
    }

    /** A user's fold windows and incident settings. */
    static final RulesConfig TUNED =
            RulesConfigLoader.fromYaml(
                    "rules:\n  layer-download: {foldWindow: 30m}\n"
                            + "  untrusted-network: {foldWindow: \"0\"}\nincident:\n  window: 2h\n  minRules: 3\n"
                            + "  raise: {exposure: [], evasionOrImpact: [TA0040]}\n",
                    "mine.yaml");

    @Test
    void usersSetFoldWindows() {
        assertThat(TUNED.rule(RuleCatalog.LAYER_DOWNLOAD).duration(RuleCatalog.FOLD_WINDOW))
                .isEqualTo(Duration.ofMinutes(30));
        assertThat(TUNED.rule(RuleCatalog.UNTRUSTED_NETWORK).duration(RuleCatalog.FOLD_WINDOW))
                .isZero();
    }

    @Test
    void usersTuneIncidents() {
        assertThat(TUNED.incident().window()).isEqualTo(Duration.ofHours(2));
        assertThat(TUNED.incident().minRules()).isEqualTo(3);
        assertThat(TUNED.incident().minSeverity()).isEqualTo(Severity.HIGH);
        assertThat(
                        TUNED.incident()
                                .raises(
                                        List.of(RuleCatalog.REPOSITORY_EXPOSED),
                                        List.of("TA0010", "TA0040")))
                .as("an empty list is never covered")
                .isFalse();
    }

    @Test
    void badValuesNameFileKeyAndProblem() {
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "rules:\n  untrusted-network: {foldWindow: -5m}\n",
                                        "a.yaml"))
                .hasMessage(
                        "a.yaml: rules.untrusted-network.foldWindow: '-5m' is not a duration such as 30s, 15m, 2h,"
                                + " 7d or PT15M, or 0 for none");
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "rules:\n  mass-deletion: {foldWindow: 1h}\n", "b.yaml"))
                .hasMessageStartingWith("b.yaml: rules.mass-deletion.foldWindow: unknown key");
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "incident: {minRules: 1, windw: 1h}\n", "c.yaml"))
                .hasMessageContaining(
                        "c.yaml: incident.windw: unknown key (did you mean 'window'?)")
                .hasMessageContaining("c.yaml: incident.minRules: 1 must be at least 2");
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "incident: {raise: {exposure: [TA10, repository-exposd]}}\n",
                                        "d.yaml"))
                .hasMessageContaining(
                        "d.yaml: incident.raise.exposure: 'TA10' is neither an ATT&CK tactic id")
                .hasMessageContaining(
                        "'repository-exposd' is neither an ATT&CK tactic id (TA0010) nor a rule id"
                                + " (did you mean 'repository-exposed'?)");
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "incident: {minSeverity: SEVERE}\n", "e.yaml"))
                .hasMessageStartingWith("e.yaml: incident.minSeverity: ");
    }
}
