package io.layerwatch.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTest {
    private static final String WHALE = "\uD83D\uDC33"; // a surrogate pair

    @Test
    void textWithinTheLimitStaysAsItIs() {
        assertThat(Text.cut("abc", 3)).isEqualTo("abc");
        assertThat(Text.cut(null, 3)).isNull();
    }

    @Test
    void cutTextEndsWithTheEllipsis() {
        assertThat(Text.cut("abcd", 3)).isEqualTo("ab\u2026");
        assertThat(Text.cut("abcdefgh", 6, "...")).isEqualTo("abc...");
        assertThat(Text.cut("abcd", 3, 3, Text.ELLIPSIS)).isEqualTo("abc\u2026");
    }

    @Test
    void cutNeverSplitsASurrogatePair() {
        assertThat(Text.cut("ab" + WHALE + "cd", 4)).isEqualTo("ab\u2026");
        assertThat(Text.cut("ab" + WHALE + "cd", 3, 3, "...")).isEqualTo("ab...");
    }
}
