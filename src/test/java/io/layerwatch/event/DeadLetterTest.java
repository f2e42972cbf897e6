package io.layerwatch.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DeadLetterTest {

    private static final int MAX = DeadLetter.MAX_PAYLOAD_BYTES;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static DeadLetter of(byte[] bytes) {
        return DeadLetter.of("s3://bucket/key", "decode", "why", bytes, 0, bytes.length);
    }

    @Test
    void keepsWhereWhenAndWhy() {
        DeadLetter dl =
                DeadLetter.of("kinesis:stream/shard-1", "decode", "malformed JSON", "{\"a\":");

        assertThat(dl)
                .isEqualTo(
                        new DeadLetter(
                                "kinesis:stream/shard-1",
                                "decode",
                                "malformed JSON",
                                "{\"a\":",
                                "utf8",
                                5));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"eventName\": \"PutImage\"}",
                "line one\nline two\r\n\tindented",
                "ünïcödé € 😀 ✓"
            })
    void utf8TextIsKeptAsText(String text) {
        DeadLetter dl = of(utf8(text));

        assertThat(dl.encoding()).isEqualTo("utf8");
        assertThat(dl.payload()).isEqualTo(text);
        assertThat(dl.payloadBytes()).isEqualTo(utf8(text).length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1f8b0800", "c328", "ff", "e282", "00", "7b01", "6162631b5b306d"})
    void bytesThatAreNotCleanUtf8TextAreBase64(String hex) {
        byte[] bytes = HexFormat.of().parseHex(hex);

        DeadLetter dl = of(bytes);

        assertThat(dl.encoding()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(dl.payload())).isEqualTo(bytes);
        assertThat(dl.payloadBytes()).isEqualTo(bytes.length);
    }

    @Test
    void offsetAndLengthSelectTheOffendingSlice() {
        byte[] lines = utf8("{\"ok\":1}\nnot json\n{\"ok\":2}");

        DeadLetter dl = DeadLetter.of("src", "decode", "malformed JSON", lines, 9, 8);

        assertThat(dl.payload()).isEqualTo("not json");
        assertThat(dl.payloadBytes()).isEqualTo(8);
    }

    @Test
    void nullTextIsAnEmptyPayload() {
        DeadLetter dl = DeadLetter.of("src", "decode", "nothing", null);

        assertThat(dl.payload()).isEmpty();
        assertThat(dl.encoding()).isEqualTo("utf8");
        assertThat(dl.payloadBytes()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"4095, 4095", "4096, 4096", "4097, 4096", "100000, 4096"})
    void textIsCutAt4KiBKeepingItsSize(int length, int kept) {
        String text = "x".repeat(length);

        DeadLetter dl = DeadLetter.of("src", "decode", "too big", text);

        assertThat(dl.payload()).isEqualTo(text.substring(0, kept));
        assertThat(dl.encoding()).isEqualTo("utf8");
        assertThat(dl.payloadBytes()).isEqualTo(length);
    }

    /**
     * A cut inside a 2-, 3- or 4-byte character (after 0-3 ASCII bytes that shift where the cut
     * falls) keeps the whole characters before it, as text, rather than turning the payload into
     * base64.
     */
    @ParameterizedTest(name = "{0} after {1} ASCII bytes")
    @CsvSource({
        "é, 0", "é, 1", "€, 0", "€, 1", "€, 2", "😀, 0", "😀, 1", "😀, 2", "😀, 3",
    })
    void cutInsideAMultiByteCharacterKeepsTheWholeCharactersBeforeIt(
            String character, int asciiPrefix) {
        String text = "a".repeat(asciiPrefix) + character.repeat(MAX);
        String expected = longestPrefixWithin(text, MAX);

        DeadLetter dl = DeadLetter.of("src", "decode", "too big", text);

        assertThat(dl.encoding()).isEqualTo("utf8");
        assertThat(dl.payload()).isEqualTo(expected);
        assertThat(utf8(dl.payload()).length).isBetween(MAX - utf8(character).length + 1, MAX);
        assertThat(dl.payloadBytes()).isEqualTo(utf8(text).length);
    }

    @Test
    void binaryIsCutAt4KiBBeforeBase64() {
        byte[] binary = new byte[10_000];
        new Random(1).nextBytes(binary);
        binary[0] = 0;

        DeadLetter dl = of(binary);

        assertThat(dl.encoding()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(dl.payload())).isEqualTo(Arrays.copyOf(binary, MAX));
        assertThat(dl.payloadBytes()).isEqualTo(10_000);
    }

    /**
     * The longest run of whole code points from the start whose UTF-8 encoding fits in {@code
     * maxBytes}.
     */
    private static String longestPrefixWithin(String text, int maxBytes) {
        int end = 0;
        int bytes = 0;
        while (end < text.length()) {
            int next = text.offsetByCodePoints(end, 1);
            bytes += utf8(text.substring(end, next)).length;
            if (bytes > maxBytes) {
                break;
            }
            end = next;
        }
        return text.substring(0, end);
    }
}
