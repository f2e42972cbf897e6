package io.layerwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GlobTest {

    @Test
    void aGlobIsCompiledOnceAndMatchesAsWritten() {
        Glob g = Glob.of("123456789012:eu-*");
        assertThat(Glob.of("123456789012:eu-*")).isSameAs(g);
        assertThat(g.matches("123456789012:eu-west-1")).isTrue();
        assertThat(g.matches("123456789012:us-east-1")).isFalse();
        assertThat(Glob.of("arn:aws:iam::?:role/*").matches("arn:aws:iam::1:role/a/b")).isTrue();
        assertThat(Glob.of("a.b").matches("axb")).as("only * and ? are special").isFalse();
    }
}
