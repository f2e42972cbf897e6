package io.layerwatch.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StringCacheTest {

    private final StringCache cache = new StringCache();

    @Test
    void theSameTextReadAgainIsTheSameInstanceAndEveryTextReadsAsItsBytes() {
        byte[] a = bytes("xx arn:aws:iam::123456789012:role/ci yy");
        String first = cache.get(a, 3, a.length - 3);
        assertThat(first).isEqualTo("arn:aws:iam::123456789012:role/ci");
        byte[] b = bytes("arn:aws:iam::123456789012:role/ci");
        assertThat(cache.get(b, 0, b.length)).isSameAs(first);
        // Thousands of other texts (slots collide and are displaced): each still reads as its own bytes.
        for (int i = 0; i < 20_000; i++) {
            String text = "repo-" + i + (i % 3 == 0 ? "" : "/x");
            byte[] t = bytes(text);
            assertThat(cache.get(t, 0, t.length)).isEqualTo(text);
        }
        String longText = "p".repeat(StringCache.MAX_LENGTH + 1);
        byte[] l = bytes(longText);
        assertThat(cache.get(l, 0, l.length)).isEqualTo(longText).isNotSameAs(cache.get(l, 0, l.length));
        assertThat(cache.get(bytes(""), 0, 0)).isEmpty();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
