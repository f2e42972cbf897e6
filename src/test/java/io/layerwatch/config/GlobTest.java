package io.layerwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class GlobTest {

    @Test
    void aGlobIsCompiledOnce() {
        Glob g = Glob.of("123456789012:eu-*");
        assertThat(Glob.of("123456789012:eu-*")).isSameAs(g);
    }

    @Test
    void aGlobMatchesAsWritten() {
        Glob g = Glob.of("123456789012:eu-*");
        assertThat(g.matches("123456789012:eu-west-1")).isTrue();
        assertThat(g.matches("123456789012:us-east-1")).isFalse();
        assertThat(Glob.of("arn:aws:iam::?:role/*").matches("arn:aws:iam::1:role/a/b")).isTrue();
        assertThat(Glob.of("a.b").matches("axb")).as("only * and ? are special").isFalse();
        assertThat(Glob.of("a*b*c").matches("aXbYbZc")).isTrue();
        assertThat(Glob.of("a*b*c").matches("aXbYcZ")).isFalse();
        assertThat(Glob.of("*").matches("")).isTrue();
        assertThat(Glob.of("?").matches("")).isFalse();
        assertThat(Glob.of("**a?").matches("xaby")).isFalse();
        assertThat(Glob.of("**a?").matches("xayab")).isTrue();
        assertThat(Glob.of("").matches("x")).isFalse();
    }

    /** The attack: a value an attacker names (user agent, repository) against a many-star glob. */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aHostileValueDoesNotMakeMatchingBacktrack() {
        Glob glob = Glob.of("*a*a*a*a*a*b");
        String value = "a".repeat(800);
        for (int i = 0; i < 200; i++) {
            assertThat(glob.matches(value)).isFalse();
            assertThat(glob.matches(value + "b")).isTrue();
        }
    }

    /** The attack: a role under a path evades a protected glob written without one. */
    @Test
    void aProtectedGlobIsNotEvadedByARolePath() {
        RemediationConfig c =
                RulesConfigLoader.fromYaml(
                                """
                remediation:
                  protected:
                    principals: ["arn:aws:iam::*:role/ci-*", "arn:aws:iam::111122223333:user/admin"]
                """,
                                "mine.yaml")
                        .remediation();
        assertThat(c.protectedPrincipal("arn:aws:iam::111122223333:role/team/ci-deploy")).isTrue();
        assertThat(c.protectedPrincipal("arn:aws:iam::111122223333:role/a/b/ci-deploy")).isTrue();
        assertThat(c.protectedPrincipal("arn:aws:iam::111122223333:user/ops/admin")).isTrue();
        assertThat(c.protectedPrincipal("arn:aws:iam::111122223333:role/team/deploy")).isFalse();
        assertThat(c.protectedPrincipal("arn:aws:iam::999988887777:user/ops/admin")).isFalse();
        // A glob with a path keeps it.
        assertThat(
                        Glob.of("arn:aws:iam::*:role/team/*")
                                .matchesAnyPath("arn:aws:iam::1:role/other/x"))
                .isFalse();
        assertThat(Glob.withoutPath("arn:aws:sts::1:assumed-role/a/b")).isNull();
    }
}
