package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.SinksConfig;
import io.layerwatch.patterns.CepRule;
import io.layerwatch.rules.FirstSeenPuller;
import io.layerwatch.rules.RegistryNotAssessed;
import io.layerwatch.rules.SingleEventRule;
import org.junit.jupiter.api.Test;

/**
 * findings.jsonl keeps in memory only the findings that may change (episodes, registries,
 * incidents, the rules that fold repeats under the config): the catalog and the config must say it
 * right.
 */
class UpdatingRulesTest {

    @Test
    void onlyEpisodeAndRegistryRulesUpdateTheirFindings() {
        for (CepRule rule : RuleSet.cepRules()) {
            assertThat(RuleCatalog.updatesFindings(rule.id())).as(rule.id()).isTrue();
        }
        for (SingleEventRule rule : RuleSet.singleEventRules()) {
            assertThat(RuleCatalog.updatesFindings(rule.id()))
                    .as(rule.id())
                    .isEqualTo(rule.id().equals(RegistryNotAssessed.ID));
        }
        assertThat(RuleCatalog.updatesFindings(FirstSeenPuller.ID)).isFalse();
        assertThat(RuleCatalog.updatesFindings(RuleCatalog.ATTACK_SEQUENCE)).isTrue();
        assertThat(RuleCatalog.updatesFindings("remediation-failed"))
                .isTrue(); // not a catalog rule: unknown
    }

    @Test
    void foldingRepeatsMakesARulesFindingsChangeable() {
        SinksConfig builtIn = RulesConfigLoader.builtIn().sinks();
        for (String id : RuleCatalog.ids()) {
            assertThat(builtIn.findingsMayChange(id))
                    .as(id)
                    .isEqualTo(!id.equals(RuleCatalog.LAYER_DOWNLOAD));
        }
        assertThat(builtIn.findingsMayChange("remediation-failed")).isTrue();

        RulesConfig swapped =
                RulesConfigLoader.fromYaml(
                        "rules:\n  layer-download: {foldWindow: 30m}\n"
                                + "  untrusted-network: {foldWindow: 0}\n",
                        "swapped.yaml");
        assertThat(swapped.sinks().findingsMayChange(RuleCatalog.LAYER_DOWNLOAD)).isTrue();
        assertThat(swapped.sinks().findingsMayChange(RuleCatalog.UNTRUSTED_NETWORK)).isFalse();
        // A copy with other sink settings keeps it.
        assertThat(
                        swapped.sinks()
                                .with(swapped.sinks().sink("sns").enabled(true))
                                .findingsMayChange(RuleCatalog.LAYER_DOWNLOAD))
                .isTrue();
    }
}
