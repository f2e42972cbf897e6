package io.layerwatch.event.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StringCacheTest {

    private final StringCache cache = new StringCache();

    @Test
    void theSameTextReadAgainIsTheSameInstance() {
        byte[] a = bytes("xx arn:aws:iam::123456789012:role/ci yy");
        String first = cache.get(a, 3, a.length - 3);
        assertThat(first).isEqualTo("arn:aws:iam::123456789012:role/ci");
        byte[] b = bytes("arn:aws:iam::123456789012:role/ci");
        assertThat(cache.get(b, 0, b.length)).isSameAs(first);
    }

    @Test
    void everyTextReadsAsItsBytes() {
        // Thousands of texts (slots collide and are displaced): each still reads as its own bytes.
        for (int i = 0; i < 20_000; i++) {
            String text = "repo-" + i + (i % 3 == 0 ? "" : "/x");
            byte[] t = bytes(text);
            assertThat(cache.get(t, 0, t.length)).isEqualTo(text);
        }
        String longText = "p".repeat(StringCache.MAX_LENGTH + 1);
        byte[] l = bytes(longText);
        assertThat(cache.get(l, 0, l.length))
                .isEqualTo(longText)
                .isNotSameAs(cache.get(l, 0, l.length));
        assertThat(cache.get(bytes(""), 0, 0)).isEmpty();
    }

    @Test
    void textsInTheSameSlotDifferingInAnyOneByteAreToldApart() {
        StringCache oneSlot =
                new StringCache(1); // every text in the same slot: every lookup compares
        for (int n = 1; n <= StringCache.IN_WORDS + 12; n++) {
            StringBuilder base = new StringBuilder();
            for (int i = 0; i < n; i++) {
                base.append((char) ('a' + i % 26));
            }
            byte[] a = bytes(base.toString());
            String cachedA = oneSlot.get(a, 0, n);
            assertThat(oneSlot.get(a.clone(), 0, n))
                    .as("length %d read again", n)
                    .isSameAs(cachedA);
            for (int p = 0; p < n; p++) {
                byte[] other = a.clone();
                other[p] = (byte) '_';
                String text = new String(other, StandardCharsets.US_ASCII);
                assertThat(oneSlot.get(other, 0, n)).as("length %d, byte %d", n, p).isEqualTo(text);
                assertThat(oneSlot.get(a, 0, n))
                        .as("length %d, byte %d, back", n, p)
                        .isEqualTo(base.toString());
            }
            byte[] longer = bytes(base + "a");
            assertThat(oneSlot.get(longer, 0, n)).as("a prefix").isEqualTo(base.toString());
            assertThat(oneSlot.get(longer, 0, n + 1)).isEqualTo(base + "a");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
