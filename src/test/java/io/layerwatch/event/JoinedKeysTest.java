package io.layerwatch.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class JoinedKeysTest {

    @Test
    void joinsAsConcatenationDoesEvenWhenPartsShareASlot() {
        // "Aa" and "BB" have the same hash code: the same slot, told apart by content
        String aa = new String("Aa");
        String bb = new String("BB");
        assertThat(JoinedKeys.join(aa, "|", "x")).isEqualTo("Aa|x");
        assertThat(JoinedKeys.join(bb, "|", "x")).isEqualTo("BB|x");
        assertThat(JoinedKeys.join(aa, ":", "x")).isEqualTo("Aa:x");
        assertThat(JoinedKeys.join(null, "|", null)).isEqualTo("null|null");
        assertThat(JoinedKeys.join("arn", "|", null)).isEqualTo("arn|null");

        Random random = new Random(3);
        String[] parts = new String[300];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = random.nextInt(10) == 0 ? null : Integer.toString(random.nextInt(50), 36);
        }
        for (int i = 0; i < 100_000; i++) {
            String a = parts[random.nextInt(parts.length)];
            String b = parts[random.nextInt(parts.length)];
            assertThat(JoinedKeys.join(a, ":", b)).isEqualTo(a + ":" + b);
        }
    }

    @Test
    void equalPartsGiveTheSameInstance() {
        String arn = new String("arn:aws:sts::123456789012:assumed-role/ci/s1");
        String key = new String("ASIAEXAMPLE");
        String first = JoinedKeys.join(arn, "|", key);
        assertThat(JoinedKeys.join(arn, "|", key)).isSameAs(first);
        assertThat(JoinedKeys.join(new String(arn), "|", new String(key)))
                .as("equal, not the same parts")
                .isSameAs(first);
        assertThat(JoinedKeys.join(arn, ":", key))
                .as("another separator")
                .isEqualTo(arn + ":" + key);
    }
}
