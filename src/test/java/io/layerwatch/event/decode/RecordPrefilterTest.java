package io.layerwatch.event.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.layerwatch.event.CloudTrailFields;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.decode.PayloadDecoderTest.Samples;
import io.layerwatch.testing.CollectingOutput;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The byte-level scanner behind the decoder's prefilter: structure, strings, escapes, Unicode,
 * limits.
 */
class RecordPrefilterTest {

    private static final String TIME = "\"eventTime\":\"2024-05-01T12:00:00Z\"";

    /** A session key's call: its first sighting is parsed (the session's origin). */
    private static final String SESSION =
            "\"eventType\":\"AwsApiCall\",\"userIdentity\":{\"type\":\"AssumedRole\","
                    + "\"arn\":\"arn:aws:sts::111122223333:assumed-role/app/i-0abc\",\"accessKeyId\":\"ASIAEXAMPLE000000001\"}";

    /**
     * A CloudTrail record of {@code source} with the given extra members (JSON text, may be empty).
     */
    static String record(String source, String extra) {
        return "{\"eventVersion\":\"1.08\","
                + TIME
                + ",\"eventSource\":\""
                + source
                + "\",\"eventName\":\"GetObject\""
                + (extra.isEmpty() ? "" : "," + extra)
                + "}";
    }

    static String logFile(String... records) {
        return "{\"Records\":[" + String.join(",", records) + "]}";
    }

    private static RecordPrefilter.Root scan(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return new RecordPrefilter().scan(bytes, 0, bytes.length);
    }

    /**
     * Decodes with the prefilter (checking it agrees with the full decoder) and returns that
     * decode.
     */
    private static CollectingOutput prefiltered(String json) {
        return CollectingOutput.assertPrefilterAgrees(json.getBytes(StandardCharsets.UTF_8));
    }

    // ---- log files
    // ---------------------------------------------------------------------------------------------

    @Test
    void logFileParsesOnlyEcrCalls() {
        String s3 = record("s3.amazonaws.com", "");
        String ecr =
                record("ecr.amazonaws.com", "\"requestParameters\":{\"repositoryName\":\"app\"}");
        String sts = record("sts.amazonaws.com", "");
        String doc = logFile(s3, ecr, sts);

        RecordPrefilter.Root root = scan(doc);

        assertThat(root.kind).isEqualTo(RecordPrefilter.Kind.RECORDS);
        assertThat(ranges(doc, root)).containsExactly(s3, ecr, sts);
        assertThat(root.skip).startsWith(true, false, true);
        CollectingOutput out = prefiltered(doc);
        assertThat(out.prefilteredCount()).isEqualTo(2);
        assertThat(out.onlyEvent().repositoryName()).isEqualTo("app");
    }

    @Test
    void logFileOfEcrCallsOnlyIsParsedWhole() {
        RecordPrefilter.Root root =
                scan(logFile(record("ecr.amazonaws.com", ""), record("ecr.amazonaws.com", "")));

        assertThat(root.kind).isEqualTo(RecordPrefilter.Kind.PARSE);
        assertThat(prefiltered(logFile(record("ecr.amazonaws.com", ""))).prefilteredCount())
                .isZero();
    }

    @Test
    void aLogFileThatStartsWithManyEcrCallsIsLeftToTheFullDecoder() {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < RecordPrefilter.GIVE_UP_AFTER; i++) {
            records.add(record("ecr.amazonaws.com", ""));
        }
        records.add(record("s3.amazonaws.com", ""));
        String late = logFile(records.toArray(String[]::new));
        records.add(0, record("s3.amazonaws.com", ""));
        String early = logFile(records.toArray(String[]::new));

        assertThat(scan(late)).isNull();
        assertThat(prefiltered(late).prefilteredCount()).isZero();
        assertThat(prefiltered(early).prefilteredCount()).isEqualTo(2);
    }

    @Test
    void recordBoundariesSurviveNestingAndStringsFullOfJsonPunctuation() {
        String tricky =
                record(
                        "s3.amazonaws.com",
                        "\"userAgent\":\"a}b]c{d[e\\\"f,g:h\\\\\",\"x\":[[{\"y\":[{}]},[]],{}],"
                                + "\"requestParameters\":{\"k\":\"}\",\"n\":[-0.5e+3,0,1E-2,true,false,null]},\"z\":\"\\\"}]\"");
        String ecr =
                record(
                        "ecr.amazonaws.com",
                        "\"note\":\"{\\\"eventSource\\\":\\\"s3.amazonaws.com\\\"}\"");
        String doc = " {\n \"Records\" : [\n" + tricky + " ,\r\n\t" + ecr + "\n]\n}";

        RecordPrefilter.Root root = scan(doc.strip());

        assertThat(root.kind).isEqualTo(RecordPrefilter.Kind.RECORDS);
        assertThat(ranges(doc.strip(), root)).containsExactly(tricky, ecr);
        assertThat(root.skip).startsWith(true, false);
        assertThat(prefiltered(doc).events())
                .singleElement()
                .satisfies(e -> assertThat(e.isEcrApiCall()).isTrue());
    }

    @Test
    void eventSourceOnlyCountsAtTheTopLevelOfTheRecord() {
        // "ecr.amazonaws.com" elsewhere (a nested eventSource, the source IP of a service call)
        // does not matter.
        String nested =
                record(
                        "kms.amazonaws.com",
                        "\"sourceIPAddress\":\"ecr.amazonaws.com\","
                                + "\"additionalEventData\":{\"eventSource\":\"ecr.amazonaws.com\"}");

        assertThat(prefiltered(logFile(nested)).prefilteredCount()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "\\u0065cr.amazonaws.com", // ECR behind a Unicode escape
                "ecr.amazonaws.co\\u006d",
                "ecr.amazonaws.com"
            })
    void anEcrSourceIsNeverSkippedHoweverItIsWritten(String source) {
        CollectingOutput out =
                prefiltered(logFile(record(source, ""), record("s3.amazonaws.com", "")));

        assertThat(out.prefilteredCount()).isEqualTo(1);
        assertThat(out.onlyEvent().isEcrApiCall()).isTrue();
    }

    @Test
    void anEscapedKeyKeepsItsRecordFromBeingSkipped() {
        // "event\u0053ource" is eventSource to Jackson: the second eventSource wins and makes this
        // an ECR call.
        String hidden = record("s3.amazonaws.com", "\"event\\u0053ource\":\"ecr.amazonaws.com\"");
        String escapedNewline = record("s3.amazonaws.com", "\"odd\\nkey\":1");

        CollectingOutput out =
                prefiltered(logFile(hidden, escapedNewline, record("s3.amazonaws.com", "")));

        assertThat(out.prefilteredCount()).isEqualTo(1);
        assertThat(out.events())
                .hasSize(2)
                .first()
                .satisfies(e -> assertThat(e.isEcrApiCall()).isTrue());
    }

    @Test
    void unicodeMakesOnlyItsOwnRecordGoThroughJackson() {
        String raw = record("s3.amazonaws.com", "\"userAgent\":\"M\u00fcnchen \uD83D\uDE80\"");
        String escaped = record("s3.amazonaws.com", "\"userAgent\":\"caf\\u00e9\"");
        String doc = logFile(raw, escaped, record("s3.amazonaws.com", ""));

        RecordPrefilter.Root root = scan(doc);

        assertThat(root.kind).isEqualTo(RecordPrefilter.Kind.RECORDS);
        assertThat(root.skip).startsWith(false, false, true);
        CollectingOutput out = prefiltered(doc);
        assertThat(out.prefilteredCount()).isEqualTo(1);
        assertThat(out.events())
                .extracting(EcrEvent::userAgent)
                .containsExactly("M\u00fcnchen \uD83D\uDE80", "caf\u00e9");
    }

    @Test
    void unicodeOutsideTheRecordsMakesTheWholeFileGoThroughJackson() {
        String doc = "{\"note\":\"\u00e9\"," + logFile(record("s3.amazonaws.com", "")).substring(1);

        assertThat(scan(doc).kind).isEqualTo(RecordPrefilter.Kind.PARSE);
        assertThat(prefiltered(doc).events()).hasSize(1);
    }

    @Test
    void invalidUtf8InAParsedRecordFallsBackToTheFullDecoderForTheWholeFile() {
        byte[] doc =
                logFile(
                                record("s3.amazonaws.com", "\"userAgent\":\"X\""),
                                record("sts.amazonaws.com", ""))
                        .getBytes(StandardCharsets.UTF_8);
        int x = new String(doc, StandardCharsets.ISO_8859_1).indexOf("\"X\"") + 1;
        doc[x] = (byte) 0xC3; // a lead byte without its continuation byte

        CollectingOutput out = CollectingOutput.assertPrefilterAgrees(doc);

        assertThat(out.prefilteredCount()).isZero();
        assertThat(out.onlyDeadLetter().reason()).startsWith("malformed JSON");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "{\"eventVersion\":\"1.08\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\"}", // no time
                "{\"eventTime\":\"2023-02-29T00:00:00Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\"}",
                "{\"eventTime\":\"2023-07-10T25:00:00Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\"}",
                "{\"eventTime\":\"yesterday\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\"}",
                "{\"eventTime\":1688990650,\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\"}",
                "{" + TIME + ",\"eventSource\":\"\",\"eventName\":\"GetObject\"}",
                "{" + TIME + ",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"\"}",
                "{" + TIME + ",\"eventSource\":\"s3.amazonaws.com\"}",
                "{" + TIME + ",\"eventSource\":null,\"eventName\":\"GetObject\"}",
                "{" + TIME + ",\"eventSource\":5,\"eventName\":\"GetObject\"}",
                "{" + TIME + ",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":{}}",
                "{"
                        + TIME
                        + ",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"eventSource\":\"ecr.amazonaws.com\"}",
                "{"
                        + TIME
                        + ",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\","
                        + TIME
                        + "}",
                "{\"eventTime\":\"2024-05-01T12:00:0\\u0030Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\"}",
                "{"
                        + TIME
                        + ",\"eventSource\":\"s3.amazonaws.com\\/x\",\"eventName\":\"GetObject\"}"
            })
    void recordsTheScannerCannotVouchForAreLeftToTheDecoder(String unprovable) {
        CollectingOutput out = prefiltered(logFile(unprovable, record("s3.amazonaws.com", "")));

        assertThat(out.prefilteredCount()).isEqualTo(1);
        assertThat(out.events().size() + out.deadLetters().size()).isEqualTo(1);
    }

    @Test
    void escapesOtherThanUnicodeInOtherFieldsStillAllowSkipping() {
        String escaped =
                record("s3.amazonaws.com", "\"userAgent\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"");

        assertThat(prefiltered(logFile(escaped)).prefilteredCount()).isEqualTo(1);
    }

    // ---- standalone records, JSON lines, CloudWatch Logs
    // -------------------------------------------------------

    @Test
    void jsonLinesSkipStandaloneRecordsOfOtherServicesOnly() {
        String envelope =
                Samples.eventBridge(
                                "AWS API Call via CloudTrail",
                                Samples.parse(Samples.utf8(record("s3.amazonaws.com", ""))))
                        .toString();
        String lines =
                String.join(
                        "\n",
                        record("s3.amazonaws.com", ""),
                        record("ecr.amazonaws.com", ""),
                        envelope,
                        record("iam.amazonaws.com", "\"detail\":{}"),
                        record("sts.amazonaws.com", ""),
                        "");

        CollectingOutput out = prefiltered(lines);

        assertThat(out.prefilteredCount()).isEqualTo(2);
        assertThat(out.events())
                .extracting(EcrEvent::eventSource)
                .containsExactly("ecr.amazonaws.com", "s3.amazonaws.com", "iam.amazonaws.com");
    }

    @Test
    void aBadLineAfterSkippedLinesCostsTheSameDeadLetterAsWithoutThePrefilter() {
        String lines =
                record("s3.amazonaws.com", "")
                        + "\n"
                        + record("sts.amazonaws.com", "")
                        + "\nnot json\n"
                        + record("s3.amazonaws.com", "")
                        + "\n"
                        + record("ecr.amazonaws.com", "");

        CollectingOutput out = prefiltered(lines);

        assertThat(out.prefilteredCount())
                .isEqualTo(2); // after the bad line Jackson decodes the rest
        assertThat(out.deadLetters())
                .singleElement()
                .satisfies(d -> assertThat(d.reason()).startsWith("malformed JSON"));
        assertThat(out.events()).hasSize(2);
    }

    @Test
    void cloudWatchLogsMessagesOfOtherServicesAreSkipped() {
        byte[] payload =
                Samples.cloudWatchLogs(
                        "DATA_MESSAGE",
                        record("s3.amazonaws.com", ""),
                        record("ecr.amazonaws.com", ""),
                        "  " + record("sts.amazonaws.com", "") + "\n",
                        record("sts.amazonaws.com", "") + " trailing",
                        record("s3.amazonaws.com", "\"ua\":\"\u00e9\""),
                        "{\"Records\":[" + record("s3.amazonaws.com", "") + "]}");

        CollectingOutput out = CollectingOutput.assertPrefilterAgrees(payload);

        assertThat(out.prefilteredCount()).isEqualTo(2);
        assertThat(out.events()).hasSize(4);
    }

    @Test
    void realSamplesSkipTheirOtherServicesRecords() {
        for (String resource : Samples.ALL) {
            CollectingOutput.assertPrefilterAgrees(Samples.bytes(resource));
            CollectingOutput.assertPrefilterAgrees(Samples.gzip(Samples.bytes(resource)));
        }
        // Six records of other services; the one of an instance's session key is its first
        // sighting, parsed.
        CollectingOutput invictus =
                CollectingOutput.assertPrefilterAgrees(Samples.bytes(Samples.INVICTUS_STRATUS));
        assertThat(invictus.prefilteredCount()).isEqualTo(5);
        assertThat(invictus.origins())
                .singleElement()
                .satisfies(e -> assertThat(e.principal().accessKeyId()).startsWith("ASIA"));
    }

    /**
     * A session key noted only from input that decodes: else a later record would be skipped, not
     * its origin.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                ",oops]}",
                ",{\"ua\":\"\u00ff\u00fe\"}]}"
            }) // bad syntax; bytes invalid in UTF-8
    void aSessionKeyFromALogFileThatFailsIsStillReportedLater(String brokenEnd) {
        String first = logFile(record("s3.amazonaws.com", SESSION)).replace("]}", brokenEnd);
        String later = record("sts.amazonaws.com", SESSION).replace("12:00:00Z", "12:05:00Z");
        byte[] payload = (first + "\n" + later + "\n").getBytes(StandardCharsets.ISO_8859_1);

        CollectingOutput out = CollectingOutput.assertPrefilterAgrees(payload);

        assertThat(out.deadLetters()).hasSize(1);
        assertThat(out.origins())
                .singleElement()
                .satisfies(e -> assertThat(e.eventSource()).startsWith("sts"));
    }

    /**
     * A log file among other JSON lines is decoded from its bytes either way (raw JSON, duplicate
     * keys kept).
     */
    @Test
    void aLogFileAmongJsonLinesDecodesTheSameWithThePrefilterOnOrOff() {
        String arn = "\"ARN\":\"arn:aws:ec2:us-east-1:123837392027:instance/i-05c30218156bcc246\"";
        String stratus =
                Samples.oneLine(Samples.INVICTUS_STRATUS)
                        .replace(arn, "\"ARN\":\"arn:aws:\"," + arn);
        String lines = stratus + "\n" + Samples.oneLine(Samples.PULL) + "\n";

        CollectingOutput out = prefiltered(lines);

        assertThat(out.origins())
                .singleElement()
                .satisfies(e -> assertThat(e.raw()).contains("\"arn:aws:\","));
        assertThat(out.events()).anySatisfy(e -> assertThat(e.isEcrApiCall()).isTrue());
    }

    // ---- malformed input and limits
    // ----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "{\"Records\":[{\"eventSource\":\"s3.amazonaws.com\",}]}",
                "{\"Records\":[{\"eventSource\":\"s3.amazonaws.com\"}",
                "{\"Records\":[{\"eventSource\":\"s3.amazonaws.com\"]}",
                "{\"Records\":[{\"a\":01}]}",
                "{\"Records\":[{\"a\":1.}]}",
                "{\"Records\":[{\"a\":.5}]}",
                "{\"Records\":[{\"a\":+1}]}",
                "{\"Records\":[{\"a\":-}]}",
                "{\"Records\":[{\"a\":tru}]}",
                "{\"Records\":[{\"a\":truex}]}",
                "{\"Records\":[{\"a\":NaN}]}",
                "{\"Records\":[{\"a\":\"tab\there\"}]}",
                "{\"Records\":[{\"a\":\"bad \\x escape\"}]}",
                "{\"Records\":[{\"a\":\"\\u12G4\"}]}",
                "{\"Records\":[{'a':1}]}",
                "{\"Records\":[{\"a\":1 /* comment */}]}",
                "{\"Records\":[{a:1}]}",
                "{\"Records\":[{\"a\" 1}]}",
                "{\"Records\":[]} x",
                "\"Records\""
            })
    void malformedInputIsLeftToTheFullDecoder(String malformed) {
        byte[] bytes = malformed.getBytes(StandardCharsets.UTF_8);
        RecordPrefilter.Root root = new RecordPrefilter().scan(bytes, 0, bytes.length);

        assertThat(root == null || root.end < bytes.length).isTrue();
        assertThat(prefiltered(malformed).prefilteredCount()).isZero();
    }

    @Test
    void nestingDeeperThanTheLimitFallsBackToTheFullDecoder() {
        int depth = RecordPrefilter.MAX_DEPTH;
        String deep = "[".repeat(depth) + "]".repeat(depth);
        String doc = logFile(record("s3.amazonaws.com", "\"deep\":" + deep));

        assertThat(scan(doc)).isNull();
        assertThat(
                        scan(
                                logFile(
                                        record(
                                                "s3.amazonaws.com",
                                                "\"deep\":" + "[".repeat(20) + "]".repeat(20)))))
                .isNotNull();
        assertThat(prefiltered(doc).events()).hasSize(1);
    }

    @Test
    void overlongNumbersAndNamesFallBackToTheFullDecoder() {
        String longNumber = "1".repeat(RecordPrefilter.MAX_NUMBER + 1);
        String longName = "k".repeat(RecordPrefilter.MAX_NAME + 1);

        assertThat(scan(logFile(record("s3.amazonaws.com", "\"n\":" + longNumber)))).isNull();
        assertThat(scan(logFile(record("s3.amazonaws.com", "\"" + longName + "\":1")))).isNull();
        assertThat(prefiltered(logFile(record("s3.amazonaws.com", "\"n\":" + longNumber))).events())
                .hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "0",
                "-0",
                "0.0",
                "-0.0e-0",
                "1E+308",
                "1e999",
                "-1.5e-400",
                "123456789012345678901234567890",
                "1e-99999",
                "9223372036854775808"
            })
    void numbersTheScannerAcceptsJacksonAcceptsToo(String number) {
        String doc = logFile(record("s3.amazonaws.com", "\"n\":" + number));

        assertThat(scan(doc).kind).isEqualTo(RecordPrefilter.Kind.RECORDS);
        assertThatCode(() -> Samples.MAPPER.readTree(doc)).doesNotThrowAnyException();
        assertThat(prefiltered(doc).prefilteredCount()).isEqualTo(1);
    }

    @Test
    void theEightBytesAtATimeSkipStopsWhereAByteAtATimeScanStops() {
        Random random = new Random(7);
        byte[] alphabet = {
            'a',
            'Z',
            '0',
            ' ',
            '~',
            0x7f,
            '"',
            '\\',
            0x1f,
            0x00,
            '\n',
            (byte) 0x80,
            (byte) 0xC3,
            (byte) 0xFF,
            0x20,
            0x21,
            0x5b,
            0x5d
        };
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[random.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] =
                        random.nextInt(4) == 0
                                ? alphabet[random.nextInt(alphabet.length)]
                                : (byte) ('a' + random.nextInt(26));
            }
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            int naive = from;
            while (naive < bytes.length
                    && bytes[naive] >= 0x20
                    && bytes[naive] != '"'
                    && bytes[naive] != '\\') {
                naive++;
            }
            assertThat(RecordPrefilter.plainRun(bytes, from, bytes.length))
                    .as(Arrays.toString(bytes))
                    .isEqualTo(naive);
        }
    }

    // ---- event times
    // -------------------------------------------------------------------------------------------

    @Test
    void theFastTimeCheckAcceptsOnlyWhatTheMapperAccepts() throws Exception {
        List<String> times = new ArrayList<>();
        for (int year : new int[] {0, 1900, 2000, 2023, 2024, 9999}) {
            for (int month = 0; month <= 13; month++) {
                for (int day = 0; day <= 32; day++) {
                    times.add(String.format("%04d-%02d-%02dT12:34:56Z", year, month, day));
                }
            }
        }
        times.addAll(
                List.of(
                        "2024-05-01T23:59:59Z",
                        "2024-05-01T24:00:00Z",
                        "2024-05-01T00:60:00Z",
                        "2024-05-01T00:00:60Z",
                        "2024-05-01T00:00:00z",
                        "2024-05-01 00:00:00Z",
                        "2024-5-01T00:00:00Z",
                        "2024-05-01T00:00:00.5Z",
                        "2024-05-01T00:00:00+00:00",
                        "+2024-05-01T00:00:0Z",
                        "2024-05-01T0a:00:00Z",
                        // data-lake exports' form: the mapper reads it, the check agrees without a
                        // fast path of its own
                        "2024-05-01 00:00:00",
                        "2024-05-01 00:00:00.000",
                        "2024-05-01 00:00:00.123456789",
                        "2024-05-01 00:00:00.",
                        "2024-05-01 00:00:00.1234567890",
                        "2023-02-29 00:00:00.000"));
        int fast = 0;
        for (String t : times) {
            byte[] b = t.getBytes(StandardCharsets.US_ASCII);
            if (RecordPrefilter.plainUtcTime(b, 0, b.length)) {
                fast++;
                assertThat(CloudTrailFields.validEventTime(t)).as(t).isTrue();
            }
            boolean valid = CloudTrailFields.validEventTime(t);
            assertThat(RecordPrefilter.validTime(b, 0, b.length)).as(t).isEqualTo(valid);
        }
        // Every real calendar day of those years took the fast path.
        int days = 0;
        for (int year : new int[] {0, 1900, 2000, 2023, 2024, 9999}) {
            days += LocalDate.of(year, 1, 1).lengthOfYear();
        }
        assertThat(fast).isEqualTo(days + 1);
    }

    private static List<String> ranges(String doc, RecordPrefilter.Root root) {
        byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < root.count; i++) {
            out.add(
                    new String(
                            bytes,
                            root.starts[i],
                            root.ends[i] - root.starts[i],
                            StandardCharsets.UTF_8));
        }
        return out;
    }
}
