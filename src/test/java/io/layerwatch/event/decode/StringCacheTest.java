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
                new StringCache(1); // every text in the same set: every lookup compares
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

    @Test
    void aTextReadOnEveryRecordOutlivesOneOffTextsInItsSet() {
        StringCache oneSet = new StringCache(1);
        byte[] name = bytes("GetDownloadUrlForLayer");
        String cached = oneSet.get(name, 0, name.length);
        for (int i = 0; i < 1_000; i++) {
            byte[] address = bytes("10.0." + i / 256 + "." + i % 256);
            assertThat(oneSet.get(address, 0, address.length))
                    .isEqualTo(new String(address, StandardCharsets.US_ASCII));
            assertThat(oneSet.get(name.clone(), 0, name.length)).as("after %d", i).isSameAs(cached);
        }
    }

    @Test
    void escapedTextsAreKeptByTheirBytes() {
        byte[] agent =
                bytes("docker/24.0.7 UpstreamClient(Docker-Client/24.0.7 \\(linux\\)) \\\" \\n");
        String text = cache.get(agent, 0, agent.length, true);
        assertThat(text)
                .isEqualTo("docker/24.0.7 UpstreamClient(Docker-Client/24.0.7 (linux)) \" \n");
        assertThat(cache.get(agent.clone(), 0, agent.length, true)).isSameAs(text);
    }

    @Test
    void userAgentsUpToMaxLengthAreKept() {
        byte[] agent = bytes("aws-cli/2.15.0 ".repeat(StringCache.MAX_LENGTH / 15));
        assertThat(agent.length).isGreaterThan(128).isLessThanOrEqualTo(StringCache.MAX_LENGTH);
        assertThat(cache.get(agent.clone(), 0, agent.length))
                .isSameAs(cache.get(agent, 0, agent.length));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
