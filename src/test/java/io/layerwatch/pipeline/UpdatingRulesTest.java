package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.patterns.CepRule;
import io.layerwatch.rules.FirstSeenPuller;
import io.layerwatch.rules.RegistryNotAssessed;
import io.layerwatch.rules.SingleEventRule;
import org.junit.jupiter.api.Test;

/** findings.jsonl keeps in memory only the findings RuleCatalog says may change: it must say it right. */
class UpdatingRulesTest {

    @Test
    void episodesAndRegistriesMayChangeEverythingElseIsEmittedOnce() {
        for (CepRule rule : RuleSet.cepRules()) {
            assertThat(RuleCatalog.updatesFindings(rule.id())).as(rule.id()).isTrue();
        }
        for (SingleEventRule rule : RuleSet.singleEventRules()) {
            assertThat(RuleCatalog.updatesFindings(rule.id())).as(rule.id())
                    .isEqualTo(rule.id().equals(RegistryNotAssessed.ID));
        }
        assertThat(RuleCatalog.updatesFindings(FirstSeenPuller.ID)).isFalse();
        assertThat(RuleCatalog.updatesFindings("remediation-failed")).isTrue(); // not a catalog rule: unknown
    }
}
