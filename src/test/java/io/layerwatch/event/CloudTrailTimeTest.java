package io.layerwatch.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The decoder's own parse of CloudTrail times agrees with java.time's wherever it gives an answer. */
class CloudTrailTimeTest {

    @Property(tries = 3000)
    void agreesWithInstantParse(@ForAll("times") String text) {
        long fast = EventMapper.cloudTrailTime(text);
        Long reference;
        try {
            reference = Instant.parse(text).getEpochSecond();
        } catch (DateTimeParseException e) {
            reference = null;
        }
        if (fast != Long.MIN_VALUE) {
            assertThat(reference).as(text).isEqualTo(fast);
        }
    }

    @Test
    void answersForCloudTrailsFormatAndLeavesTheRestToJavaTime() {
        assertThat(EventMapper.cloudTrailTime("2024-02-29T23:59:59Z")).isEqualTo(Instant.parse("2024-02-29T23:59:59Z").getEpochSecond());
        assertThat(EventMapper.cloudTrailTime("1970-01-01T00:00:00Z")).isZero();
        for (String other : new String[] {"2023-02-29T10:00:00Z", "2024-05-01T12:00:00.123Z", "2024-05-01T12:00:00+01:00",
            "2024-13-01T12:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T23:59:60Z", "2024-05-01 12:00:00Z", "2024-0a-01T12:00:00Z"}) {
            assertThat(EventMapper.cloudTrailTime(other)).as(other).isEqualTo(Long.MIN_VALUE);
        }
    }

    @Provide
    Arbitrary<String> times() {
        Arbitrary<String> valid = Arbitraries.longs().between(-62_135_596_800L, 253_402_300_799L)
                .map(s -> Instant.ofEpochSecond(s).toString());
        Arbitrary<String> fields = Arbitraries.strings().withChars("0123456789").ofLength(2);
        Arbitrary<String> shaped = net.jqwik.api.Combinators.combine(Arbitraries.strings().withChars("0123456789").ofLength(4),
                fields, fields, fields, fields, fields).as((y, mo, d, h, mi, s) -> y + "-" + mo + "-" + d + "T" + h + ":" + mi + ":" + s + "Z");
        Arbitrary<String> mutated = valid.map(v -> v.replace('0', '9'));
        return Arbitraries.oneOf(valid, shaped, mutated, Arbitraries.strings().ofMaxLength(22));
    }
}
