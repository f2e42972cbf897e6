package io.layerwatch.event.decode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.layerwatch.event.decode.PayloadDecoderTest.Samples;
import io.layerwatch.generate.Generator;
import io.layerwatch.generate.GeneratorOptions;
import io.layerwatch.testing.CollectingOutput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RecordReader} takes CloudTrail's own log files (and the generator's) from their bytes,
 * declines what it cannot read exactly as the token reader does, and the decoder's output is the
 * token reader's either way ({@link CollectingOutput#assertStreamAgrees} holds the bytes, tokens
 * and tree decodes together).
 */
class RecordReaderTest {

    private static final String BASE =
            "{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-05-01T12:00:00Z\","
                    + "\"eventSource\":\"ecr.amazonaws.com\",\"eventName\":\"GetDownloadUrlForLayer\",\"awsRegion\":\"us-east-1\","
                    + "\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::123456789012:assumed-role/ci/s\","
                    + "\"accountId\":\"123456789012\",\"sessionContext\":{\"sessionIssuer\":{\"arn\":\"arn:aws:iam::123456789012:role/ci\","
                    + "\"userName\":\"ci\"},\"attributes\":{\"mfaAuthenticated\":\"false\"}}},"
                    + "\"requestParameters\":{\"repositoryName\":\"app\",\"layerDigest\":\"sha256:aa\"},"
                    + "\"responseElements\":null,\"eventID\":\"e-1\",\"recipientAccountId\":\"123456789012\"}";

    private final RecordReader reader = new RecordReader(new ObjectMapper());

    @Test
    void readsCloudTrailsOwnLogFiles() {
        for (String sample :
                List.of(
                        Samples.INVICTUS_INSPECTOR,
                        Samples.INVICTUS_SERVICE,
                        Samples.INVICTUS_STRATUS)) {
            byte[] file = Samples.bytes(sample);
            List<Object> records = read(file);
            assertThat(records).as(sample).isNotNull().hasSize(Samples.records(sample).size());
            CollectingOutput out = CollectingOutput.assertStreamAgrees(file);
            assertThat(out.events()).hasSize(records.size());
        }
    }

    @Test
    void readsTheGeneratorsRecordsWithoutCopyingWhitespaceAway() {
        Iterator<byte[]> records = Generator.records(GeneratorOptions.of(3_000, 5).withEcrShare(1));
        int files = 0;
        while (records.hasNext()) {
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            file.writeBytes("{\"Records\":[".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 40 && records.hasNext(); ) {
                byte[] record = records.next();
                if (new String(record, StandardCharsets.UTF_8).contains("\"detail-type\"")) {
                    continue; // the scan events it writes beside the trail
                }
                if (i++ > 0) {
                    file.write(',');
                }
                file.writeBytes(record);
            }
            file.writeBytes("]}".getBytes(StandardCharsets.US_ASCII));
            byte[] bytes = file.toByteArray();
            assertThat(read(bytes)).isNotNull().allMatch(spaced -> spaced.equals(false));
            CollectingOutput.assertStreamAgrees(bytes);
            files++;
        }
        assertThat(files).isGreaterThan(50);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"requestParameters\":{\"repositoryName\":\"app\",\"layerDigest\":\"sha256:aa\"}|"
                        + "\"requestParameters\" : {\"repositoryName\": \"app\", \"layerDigest\":\"sha256:aa\",\n\t\"imageIds\": [ {\"imageTag\" : \"v1\"} ]}",
                "\"responseElements\":null|\"responseElements\":{\"note\":\"a \\\"quoted\\\" \\\\ path\\/x\",\"n\":[1,2.5e3,-0,true]}",
                "\"accountId\":\"123456789012\"|\"accountId\":123456789012,\"flag\":false,\"x\":null",
                "\"sessionIssuer\":{|\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":12,",
                "\"ci\"}|\"c\\\"i \\\\(x\\/y\\\\) \\b\\f\\n\\r\\t\"}", // escapes in strings the
                // mapping reads
            })
    void readsRecordsWithWhitespaceEscapesAndOtherValuesWhereTheMappingDoesNotLook(String edit) {
        String[] e = edit.split("\\|", 2);
        assertThat(BASE).contains(e[0]);
        byte[] file = file(BASE.replace(e[0], e[1]));
        assertThat(read(file)).as("read from the bytes").isNotNull().hasSize(1);
        CollectingOutput.assertStreamAgrees(file);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"app\"|\"caf\u00e9\"", // not ASCII
                "\"app\"|\"\\u0061pp\"", // a backslash-u escape
                "\"eventName\"|\"event\\u004eame\"", // an escaped key
                "\"eventID\":\"e-1\",|", // no eventID
                "\"awsRegion\":\"us-east-1\"|\"awsRegion\":\"us-east-1\",\"awsRegion\":\"eu-west-1\"", // repeated
                "\"awsRegion\":\"us-east-1\"|\"awsRegion\":7", // not a string
                "\"requestParameters\":{|\"requestParameters\":[{", // not an object
                "\"eventVersion\":\"1.08\"|\"eventVersion\":1e999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999",
            })
    void declinesWhatItCannotReadAsTheTokenReaderDoes(String edit) {
        String[] e = edit.split("\\|", 2);
        assertThat(BASE).contains(e[0]);
        String record =
                BASE.replaceFirst(Pattern.quote(e[0]), Matcher.quoteReplacement(e[1]))
                        .replace(
                                "[{\"repositoryName\":\"app\",\"layerDigest\":\"sha256:aa\"}",
                                "[{\"repositoryName\":\"app\"}]");
        byte[] file = file(record);
        assertThat(read(file)).as("declined").isNull();
        CollectingOutput.assertStreamAgrees(file);
    }

    @Test
    void takesOnlyALogFileWithRecordsAlone() {
        assertThat(read(file(BASE))).isNotNull();
        assertThat(read(Samples.utf8("{\"Records\":[" + BASE + "],\"other\":1}"))).isNull();
        assertThat(read(Samples.utf8("{\"Records\":[" + BASE + "]} x"))).isNull();
        assertThat(read(Samples.utf8("{\"Records\":[" + BASE + ",7]}"))).isNull();
        assertThat(read(Samples.utf8("{\"Records\":[]}"))).isEmpty();
        assertThat(read(Samples.utf8("{ \"Records\" : [ " + BASE + " ,\n" + BASE + "] }\n")))
                .hasSize(2);
    }

    /**
     * What the reader makes of a log file: each record's whether-it-had-whitespace, or null when
     * declined.
     */
    private List<Object> read(byte[] file) {
        List<Object> spaced = new ArrayList<>();
        List<Object> out =
                reader.logFile(
                        file,
                        0,
                        file.length,
                        (fields, bytes, start, end, s) -> {
                            assertThat(fields.eventId()).isNotNull();
                            spaced.add(s);
                            return fields;
                        });
        return out == null ? null : spaced;
    }

    private static byte[] file(String record) {
        return Samples.utf8("{\"Records\":[" + record + "]}");
    }
}
