package io.layerwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.generate.Generator;
import io.layerwatch.generate.GeneratorOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The memory run's rules: its spread principals learn and push without becoming findings. */
class MemoryBenchTest {

    @Test
    void spreadPrincipalsAreLearnedPullersAndExpectedPushers() {
        String yaml = Generator.open(GeneratorOptions.of(10_000, 42)).rulesYaml();
        RulesConfig rules = MemoryBench.quietFirstSeen(yaml, Duration.ofDays(2));

        assertThat(rules.rule(RuleCatalog.FIRST_SEEN_PULLER).duration("learningPeriod"))
                .isEqualTo(Duration.ofHours(49));
        assertThat(rules.rule(RuleCatalog.UNEXPECTED_IMAGE_PUSH).strings("pushers"))
                .contains("arn:aws:iam::*:role/eks-node-bench-*")
                .anyMatch(p -> p.endsWith(":role/ci-*"));
    }
}
