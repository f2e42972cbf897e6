package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.PayloadDecoder;
import io.layerwatch.testing.CloudTrailRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What replay's read-ahead task hands its decoder, file by file. */
class ReadAheadTest {

    private static CloudTrailRecords.Builder ecr() {
        return CloudTrailRecords.record("BatchGetImage");
    }

    /** An S3 call with a long-term key: nothing any rule looks at. */
    private static CloudTrailRecords.Builder s3() {
        return CloudTrailRecords.record("GetObject").eventSource("s3.amazonaws.com").iamUser("111122223333", "bob");
    }

    private static List<Payload> readAhead(Payload in) throws Exception {
        return readAhead(in, PayloadDecoder.DEFAULT_MAX_INFLATED_BYTES);
    }

    private static List<Payload> readAhead(Payload in, long maxInflatedBytes) throws Exception {
        try (OneInputStreamOperatorTestHarness<Payload, Payload> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new ReadAhead(new S3Inputs(null), null,
                        maxInflatedBytes))) {
            h.processElement(in, 0);
            return h.extractOutputValues();
        }
    }

    private static Payload file(Path dir, String name, String content) throws Exception {
        return Payload.ofFile(Files.writeString(dir.resolve(name), content).toString());
    }

    @Test
    void aMixedLogFileGoesOnAsTheRecordsToParse(@TempDir Path dir) throws Exception {
        String ecr = ecr().json(); // each rendering has ids of its own
        String mixed = "{\"Records\":[" + s3().json() + "," + ecr + "," + s3().json() + "]}";

        List<Payload> out = readAhead(file(dir, "mixed.json", mixed));

        assertThat(out).singleElement().satisfies(p -> {
            assertThat(p.path()).isNull();
            assertThat(new String(p.bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"Records\":[" + ecr + "]}");
        });
    }

    @Test
    void aFileOverInputMaxInflatedBytesGoesOnUnreadForTheDecoderToDeadLetter(@TempDir Path dir) throws Exception {
        Payload bomb = Payload.ofFile(Files.write(dir.resolve("bomb.json.gz"),
                io.layerwatch.testing.TrailFiles.gzipOfZeros(4 << 20)).toString());
        Payload big = file(dir, "big.json", CloudTrailRecords.logFile(s3(), s3()));
        long cap = 1 << 20;
        assertThat(readAhead(bomb, cap)).containsExactly(bomb);
        assertThat(readAhead(big, Files.size(Path.of(big.path())) - 1)).containsExactly(big);
        assertThat(readAhead(big, cap)).as("within the cap: read, its records skipped").isEmpty();
    }

    @Test
    void aLogFileOfOtherServicesOnlyGoesNoFurther(@TempDir Path dir) throws Exception {
        assertThat(readAhead(file(dir, "s3.json", CloudTrailRecords.logFile(s3(), s3())))).isEmpty();
    }

    @Test
    void theFirstSightingOfASessionKeyGoesOnAsTheKeysOrigin(@TempDir Path dir) throws Exception {
        CloudTrailRecords.Builder session = CloudTrailRecords.record("GetObject").eventSource("s3.amazonaws.com")
                .assumedRole("111122223333", "app", "task-1");
        String first = session.json();
        String content = "{\"Records\":[" + first + "," + session.json() + "," + s3().json() + "]}";

        assertThat(readAhead(file(dir, "sessions.json", content))).singleElement().satisfies(p ->
                assertThat(new String(p.bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"Records\":[" + first + "]}"));
    }

    @Test
    void aLocalFileLeftAsItIsOrBigWithNothingToSkipGoesOnAsTheFileForTheDecoderToRead(@TempDir Path dir)
            throws Exception {
        CloudTrailRecords.Builder[] records = new CloudTrailRecords.Builder[12_000];
        java.util.Arrays.fill(records, ecr());
        String content = CloudTrailRecords.logFile(records);
        assertThat(content.length()).isGreaterThan(ReadAhead.LOCAL_REREAD_OVER);
        Payload big = gzipFile(dir, "big.json.gz", content);
        assertThat(readAhead(big)).containsExactly(big);

        String two = CloudTrailRecords.logFile(ecr(), ecr());
        Payload plain = file(dir, "small.json", two);
        assertThat(readAhead(plain)).as("nothing to inflate or skip").containsExactly(plain);
        Payload small = gzipFile(dir, "small.json.gz", two);
        assertThat(readAhead(small)).singleElement().satisfies(p -> {
            assertThat(p.path()).isNull();
            assertThat(new String(p.bytes(), StandardCharsets.UTF_8)).as("inflated").isEqualTo(two);
        });
    }

    private static Payload gzipFile(Path dir, String name, String content) throws Exception {
        Path f = dir.resolve(name);
        java.nio.file.Files.write(f, io.layerwatch.testing.TrailFiles.gzip(content.getBytes(StandardCharsets.UTF_8)));
        return Payload.ofFile(f.toString());
    }

    @Test
    void aFileItCannotReadGoesOnAsTheFileForTheDecoderToDeadLetter(@TempDir Path dir) throws Exception {
        Payload missing = Payload.ofFile(dir.resolve("missing.json").toString());

        assertThat(readAhead(missing)).containsExactly(missing);
    }
}
