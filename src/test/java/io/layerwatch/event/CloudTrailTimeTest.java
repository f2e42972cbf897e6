package io.layerwatch.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoder's own parse of event times ({@link EventMapper#parseTime}) agrees with java.time's
 * wherever it gives an answer: CloudTrail's ISO-8601 times, and data-lake exports' {@code
 * yyyy-MM-dd HH:mm:ss[.f]} read as the same time in UTC.
 */
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
    void answersForCloudTrailsFormat() {
        assertThat(EventMapper.cloudTrailTime("2024-02-29T23:59:59Z"))
                .isEqualTo(Instant.parse("2024-02-29T23:59:59Z").getEpochSecond());
        assertThat(EventMapper.cloudTrailTime("1970-01-01T00:00:00Z")).isZero();
    }

    @Test
    void leavesOtherFormsToJavaTime() {
        for (String other :
                new String[] {
                    "2023-02-29T10:00:00Z",
                    "2024-05-01T12:00:00.123Z",
                    "2024-05-01T12:00:00+01:00",
                    "2024-13-01T12:00:00Z",
                    "2024-05-01T24:00:00Z",
                    "2024-05-01T23:59:60Z",
                    "2024-05-01 12:00:00Z",
                    "2024-0a-01T12:00:00Z"
                }) {
            assertThat(EventMapper.cloudTrailTime(other)).as(other).isEqualTo(Long.MIN_VALUE);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2024-05-01T12:00:00Z",
                "1970-01-01T00:00:00Z",
                "2024-05-01T12:00:00.123Z",
                "2024-05-01T12:00:00.123456789Z",
                "1969-12-31T23:59:59.999999Z",
                "2019-04-15T19:23:20+02:00",
                "2019-04-15T19:23:20.5-03:30"
            })
    void isoTimesAreReadAsJavaTimeReadsThem(String text) throws Exception {
        assertThat(EventMapper.parseTime(text, "eventTime"))
                .isEqualTo(OffsetDateTime.parse(text).toInstant().toEpochMilli());
    }

    @ParameterizedTest
    @CsvSource({
        "2020-11-20 06:19:05, 2020-11-20T06:19:05Z",
        "2020-11-20 06:19:05.000, 2020-11-20T06:19:05Z",
        "2020-11-20 06:19:05.5, 2020-11-20T06:19:05.500Z",
        "2020-11-20 06:19:05.123, 2020-11-20T06:19:05.123Z",
        "2020-11-20 06:19:05.123456, 2020-11-20T06:19:05.123Z",
        "2025-03-05 19:48:47.987654321, 2025-03-05T19:48:47.987Z",
        "2024-02-29 23:59:59.999, 2024-02-29T23:59:59.999Z",
        "1969-12-31 23:59:59.999999999, 1969-12-31T23:59:59.999Z",
    })
    void dataLakeTimesAreUtcWithTheFractionCutToMilliseconds(String text, String instant)
            throws Exception {
        assertThat(EventMapper.parseTime(text, "eventTime"))
                .isEqualTo(Instant.parse(instant).toEpochMilli());
    }

    @Property(tries = 2000)
    void everyDataLakeTimeIsReadWithoutJavaTime(
            @ForAll @LongRange(min = -62_135_596_800L, max = 253_402_300_799L) long second,
            @ForAll @IntRange(min = 0, max = 999_999_999) int nanos,
            @ForAll @IntRange(min = 0, max = 9) int digits) {
        String iso = Instant.ofEpochSecond(second).toString(); // yyyy-MM-ddTHH:mm:ssZ
        String text =
                iso.substring(0, 10)
                        + " "
                        + iso.substring(11, 19)
                        + (digits == 0
                                ? ""
                                : "." + String.format("%09d", nanos).substring(0, digits));
        long expected = Instant.parse(text.replace(' ', 'T') + "Z").toEpochMilli();
        assertThat(EventMapper.dataLakeTime(text)).as(text).isEqualTo(expected);
    }

    @Property(tries = 3000)
    void dataLakeTimeAgreesWithJavaTimeOnTheIsoForm(@ForAll("dataLakeShaped") String text) {
        long fast = EventMapper.dataLakeTime(text);
        if (fast != Long.MIN_VALUE) {
            assertThat(Instant.parse(text.replace(' ', 'T') + "Z").toEpochMilli())
                    .as(text)
                    .isEqualTo(fast);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10/07/2023 12:03",
                "",
                "2020-11-20",
                "2020-11-20 06:19",
                "2020-11-20 06:19:05.",
                "2020-11-20 06:19:05.1234567890",
                "2020-11-20 06:19:05Z",
                "2020-11-20 06:19:05.000Z",
                "2020-11-20 06:19:05+00:00",
                "2020-11-20 06:19:05 UTC",
                "2020-11-20 06:19:05,000",
                "2020-11-20 06:19:05.12a",
                "2020-11-20 06:19:05.-12",
                "2020-11-20 06:19:05 ",
                " 2020-11-20 06:19:05",
                "2020-11-20  06:19:05",
                "2020-11-20_06:19:05",
                "2023-02-29 10:00:00",
                "2024-13-01 10:00:00",
                "2024-05-00 10:00:00",
                "2024-05-01 24:00:00",
                "2024-05-01 12:60:00",
                "2024-05-01 12:00:60",
                "2024-5-01 12:00:00",
                "2024-05-01 1a:00:00",
                "2020-11-20T06:19:05",
                "2020-11-20T06:19:05.000"
            })
    void anythingElseIsUnparseable(String text) {
        assertThatThrownBy(() -> EventMapper.parseTime(text, "eventTime"))
                .isInstanceOf(EventMapper.InvalidRecord.class)
                .hasMessage("unparseable eventTime '" + text + "'");
    }

    /** Fields around their valid ranges, fractions of 0 to 10 digits or with other characters. */
    @Provide
    Arbitrary<String> dataLakeShaped() {
        Arbitrary<String> fraction =
                Arbitraries.oneOf(
                        Arbitraries.just(""),
                        Arbitraries.strings()
                                .withChars("0123456789")
                                .ofMaxLength(10)
                                .map(f -> "." + f),
                        Arbitraries.strings().withChars("0123456789.aZ+: ").ofMaxLength(11));
        return net.jqwik.api.Combinators.combine(
                        Arbitraries.integers().between(0, 9999),
                        field(13),
                        field(32),
                        field(24),
                        field(60),
                        field(60),
                        fraction)
                .as(
                        (y, mo, d, h, mi, s, f) ->
                                String.format("%04d-%s-%s %s:%s:%s%s", y, mo, d, h, mi, s, f));
    }

    private static Arbitrary<String> field(int max) {
        return Arbitraries.integers().between(0, max).map(v -> String.format("%02d", v));
    }

    @Provide
    Arbitrary<String> times() {
        Arbitrary<String> valid =
                Arbitraries.longs()
                        .between(-62_135_596_800L, 253_402_300_799L)
                        .map(s -> Instant.ofEpochSecond(s).toString());
        Arbitrary<String> fields = Arbitraries.strings().withChars("0123456789").ofLength(2);
        Arbitrary<String> shaped =
                net.jqwik.api.Combinators.combine(
                                Arbitraries.strings().withChars("0123456789").ofLength(4),
                                fields,
                                fields,
                                fields,
                                fields,
                                fields)
                        .as(
                                (y, mo, d, h, mi, s) ->
                                        y + "-" + mo + "-" + d + "T" + h + ":" + mi + ":" + s
                                                + "Z");
        Arbitrary<String> mutated = valid.map(v -> v.replace('0', '9'));
        return Arbitraries.oneOf(valid, shaped, mutated, Arbitraries.strings().ofMaxLength(22));
    }
}
