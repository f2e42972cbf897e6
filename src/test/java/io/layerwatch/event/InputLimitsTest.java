package io.layerwatch.event;

import static io.layerwatch.testing.CollectingOutput.decode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.config.CloudWatchLogsSenders;
import io.layerwatch.event.decode.Gzip;
import io.layerwatch.event.decode.PayloadDecoder;
import io.layerwatch.event.decode.PayloadDecoderTest.Samples;
import io.layerwatch.testing.CollectingOutput;
import io.layerwatch.testing.TrailFiles;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * input.maxInflatedBytes and hostile nesting: each costs its payload (or record), never the
 * decoder.
 */
class InputLimitsTest {

    private static final long CAP = 1 << 20;

    private static CollectingOutput decodeCapped(byte[] payload, boolean prefilter) {
        CollectingOutput out = new CollectingOutput();
        new PayloadDecoder(prefilter, CloudWatchLogsSenders.ANY, CAP)
                .decode(payload, CollectingOutput.SOURCE, out);
        return out;
    }

    /** {@code size} bytes of a log file: one pull record, padded with blanks to the size. */
    private static byte[] logFileOf(int size) {
        byte[] file = Samples.utf8("{\"Records\":[" + Samples.oneLine(Samples.PULL) + "]}");
        byte[] padded = Arrays.copyOf(file, size);
        Arrays.fill(padded, file.length, size, (byte) ' ');
        return padded;
    }

    /** The same gzip with a trailer that claims {@code isize} bytes. */
    private static byte[] claiming(byte[] gzip, int isize) {
        byte[] lying = gzip.clone();
        for (int i = 0; i < 4; i++) {
            lying[lying.length - 4 + i] = (byte) (isize >>> (8 * i));
        }
        return lying;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aGzipBombIsADeadLetterNamingTheKey(boolean prefilter) throws IOException {
        byte[] bomb = TrailFiles.gzipOfZeros(8 * CAP);
        for (byte[] payload : new byte[][] {bomb, claiming(bomb, 100), claiming(bomb, (int) CAP)}) {
            CollectingOutput out = decodeCapped(payload, prefilter);
            assertThat(out.events()).isEmpty();
            DeadLetter dl = out.onlyDeadLetter();
            assertThat(dl.reason())
                    .isEqualTo("inflates beyond input.maxInflatedBytes (1048576 bytes)");
            assertThat(dl.stage()).isEqualTo(PayloadDecoder.STAGE);
            assertThat(dl.payloadBytes()).as("the gzip as received").isEqualTo(payload.length);
        }
    }

    @Test
    void theInflaterStopsAtTheCapWhateverTheTrailerClaims() throws IOException {
        byte[] exact = logFileOf((int) CAP);
        byte[] gz = Samples.gzip(exact);
        // Two members: the trailer's claim is the last one's size, far short of the whole.
        byte[] head = Samples.gzip(Arrays.copyOf(exact, (int) CAP - 10));
        byte[] tail = Samples.gzip(Arrays.copyOfRange(exact, (int) CAP - 10, (int) CAP));
        byte[] members = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, members, head.length, tail.length);
        for (byte[] payload : new byte[][] {gz, members}) {
            assertThat(Gzip.gunzip(payload, 0, payload.length, CAP)).isEqualTo(exact);
            assertThatThrownBy(() -> Gzip.gunzip(payload, 0, payload.length, CAP - 1))
                    .isInstanceOf(PayloadDecoder.TooLarge.class)
                    .hasMessage("inflates beyond input.maxInflatedBytes (1048575 bytes)");
        }
    }

    @Test
    void aPayloadOfExactlyTheCapDecodes() {
        byte[] exact = logFileOf((int) CAP);
        for (byte[] payload : new byte[][] {exact, Samples.gzip(exact)}) {
            CollectingOutput out = decodeCapped(payload, true);
            assertThat(out.deadLetters()).isEmpty();
            assertThat(out.events())
                    .extracting(EcrEvent::eventName)
                    .containsExactly("BatchGetImage");
        }
    }

    @Test
    void aPlainPayloadOverTheCapIsADeadLetter() {
        DeadLetter dl = decodeCapped(logFileOf((int) CAP + 1), true).onlyDeadLetter();
        assertThat(dl.reason())
                .isEqualTo("1048577 bytes, larger than input.maxInflatedBytes (1048576 bytes)");
        assertThat(dl.payloadBytes()).isEqualTo(CAP + 1);
    }

    private static final int DEEP = 100_000;
    private static final String DEEP_ARRAY = "[".repeat(DEEP) + "]".repeat(DEEP);

    @Test
    void aHundredThousandDeepArrayIsADeadLetter() {
        DeadLetter dl = decode(Samples.utf8(DEEP_ARRAY)).onlyDeadLetter();
        assertThat(dl.reason()).startsWith("malformed JSON: ").contains("nesting depth");
        assertThat(decode(Samples.gzip(Samples.utf8(DEEP_ARRAY))).onlyDeadLetter().reason())
                .isEqualTo(dl.reason());
    }

    @Test
    void aDeepLineCostsOnlyThatLine() {
        CollectingOutput lines =
                decode(
                        Samples.utf8(
                                Samples.oneLine(Samples.PULL)
                                        + "\n"
                                        + DEEP_ARRAY
                                        + "\n"
                                        + Samples.oneLine(Samples.PUSH)
                                        + "\n"));
        assertThat(lines.events())
                .extracting(EcrEvent::eventName)
                .containsExactly("BatchGetImage", "PutImage");
        assertThat(lines.deadLetters())
                .singleElement()
                .extracting(DeadLetter::reason)
                .asString()
                .contains("nesting depth");
    }

    @Test
    void aDeepRecordCostsOnlyThatRecord() {
        String deepRecord =
                "{\"eventVersion\":\"1.08\",\"eventSource\":\"ecr.amazonaws.com\",\"eventName\":\"x\","
                        + "\"requestParameters\":{\"x\":"
                        + DEEP_ARRAY
                        + "}}";
        CollectingOutput file =
                decode(
                        Samples.utf8(
                                "{\"Records\":["
                                        + Samples.oneLine(Samples.PULL)
                                        + ","
                                        + deepRecord
                                        + ","
                                        + Samples.oneLine(Samples.PUSH)
                                        + "]}"));
        assertThat(file.events())
                .extracting(EcrEvent::eventName)
                .containsExactly("BatchGetImage", "PutImage");
        assertThat(file.deadLetters())
                .singleElement()
                .extracting(DeadLetter::reason)
                .asString()
                .startsWith("record over Jackson's limits: ");
    }
}
