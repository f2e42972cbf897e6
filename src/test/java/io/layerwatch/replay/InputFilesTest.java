package io.layerwatch.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.event.decode.PayloadDecoder;
import io.layerwatch.pipeline.FileReader;
import io.layerwatch.pipeline.InputScope;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {

    static final String DAY = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/";

    static Path touch(Path dir, String relative) throws Exception {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "{}");
        return p;
    }

    static List<String> expand(Path dir, InputScope scope) throws Exception {
        return InputFiles.expand(List.of(dir.toString()), scope, null, new S3Inputs(null)).stream()
                .map(InputFile::location)
                .toList();
    }

    static String at(Path p) {
        return p.toString();
    }

    @Test
    void walksTheCloudTrailLayoutInDeliveryOrderWithinTheRange(@TempDir Path dir) throws Exception {
        Path late = touch(dir, DAY + "111122223333_CloudTrail_us-east-1_20240501T1300Z_b.json.gz");
        Path early = touch(dir, DAY + "111122223333_CloudTrail_us-east-1_20240501T0900Z_a.json.gz");
        Path before =
                touch(dir, DAY + "111122223333_CloudTrail_us-east-1_20240430T2300Z_c.json.gz");
        Path after = touch(dir, DAY + "111122223333_CloudTrail_us-east-1_20240501T2200Z_d.json.gz");
        Path unnamed = touch(dir, "extra/events.jsonl");
        touch(dir, DAY + ".hidden");

        assertThat(expand(dir, InputScope.ALL))
                .containsExactly(at(unnamed), at(before), at(early), at(late), at(after));
        assertThat(
                        expand(
                                dir,
                                InputScope.between(
                                        Instant.parse("2024-05-01T00:00:00Z"),
                                        Instant.parse("2024-05-01T14:00:00Z"))))
                .containsExactly(at(unnamed), at(early), at(late));
    }

    @Test
    void accountsAndRegionsComeFromTheLayoutAndTheFileName(@TempDir Path dir) throws Exception {
        Path kept = touch(dir, DAY + "111122223333_CloudTrail_us-east-1_20240501T0900Z_a.json.gz");
        touch(
                dir,
                "AWSLogs/444455556666/CloudTrail/us-east-1/2024/05/01/444455556666_CloudTrail_us-east-1_20240501T0900Z_b.json.gz");
        touch(
                dir,
                "AWSLogs/111122223333/CloudTrail/eu-west-1/2024/05/01/111122223333_CloudTrail_eu-west-1_20240501T0900Z_c.json.gz");
        // an organization trail; the name alone says account and region for a file outside the
        // layout
        Path org =
                touch(
                        dir,
                        "AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2024/05/01/x.json");
        Path loose = touch(dir, "loose/111122223333_CloudTrail_us-east-1_20240501T1000Z_d.json.gz");
        touch(dir, "loose/444455556666_CloudTrail_us-east-1_20240501T1000Z_e.json.gz");
        Path unknown = touch(dir, "loose/events.jsonl");
        // digests and Insights hold no API calls
        touch(
                dir,
                "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/"
                        + "111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20240501T0900Z.json.gz");
        touch(
                dir,
                "AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/05/01/"
                        + "111122223333_CloudTrail-Insight_us-east-1_20240501T0900Z_f.json.gz");

        InputScope scope = new InputScope(null, null, Set.of("111122223333"), Set.of("us-east-1"));
        assertThat(expand(dir, scope))
                .containsExactlyInAnyOrder(at(kept), at(org), at(loose), at(unknown));
        assertThat(expand(dir, InputScope.ALL)).hasSize(7);
    }

    @Test
    void trailPathReadsKeysPrefixesAndNames() {
        TrailPath file =
                TrailPath.of(
                        "logs/AWSLogs/o-abc/111122223333/CloudTrail/eu-west-1/2024/05/01/"
                                + "111122223333_CloudTrail_eu-west-1_20240501T0905Z_x.json.gz");
        assertThat(file.account()).isEqualTo("111122223333");
        assertThat(file.region()).isEqualTo("eu-west-1");
        assertThat(file.regionPrefix())
                .isEqualTo("logs/AWSLogs/o-abc/111122223333/CloudTrail/eu-west-1/");
        assertThat(file.day()).isEqualTo(LocalDate.of(2024, 5, 1));
        assertThat(file.deliveredAt())
                .isEqualTo(Instant.parse("2024-05-01T09:05:00Z").toEpochMilli());

        TrailPath account = TrailPath.of("AWSLogs/111122223333/");
        assertThat(account.account()).isEqualTo("111122223333");
        assertThat(account.trailType()).isNull();
        assertThat(account.regionPrefix()).isNull();
        TrailPath month = TrailPath.of("AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/");
        assertThat(month.regionPrefix()).isEqualTo("AWSLogs/111122223333/CloudTrail/us-east-1/");
        assertThat(month.day()).isNull();
        assertThat(TrailPath.of("exports/events.jsonl"))
                .isEqualTo(new TrailPath(null, null, null, Long.MIN_VALUE, null, null));
    }

    @Test
    void directoryWalksSkipTheLabelsAndRulesOfAGeneratedTrailButNamedFilesAreRead(@TempDir Path dir)
            throws Exception {
        Path log =
                touch(
                        dir,
                        "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/"
                                + "111122223333_CloudTrail_us-east-1_20240501T0900Z_a.json.gz");
        Path scans =
                touch(
                        dir,
                        "ecr-scan-events/111122223333/us-east-1/2024/05/01/"
                                + "111122223333_ecr-scan-events_us-east-1_20240501T0905Z_b.jsonl.gz");
        Path labels = touch(dir, "labels.jsonl");
        Path rules = touch(dir, "rules.yaml");

        assertThat(expand(dir, InputScope.ALL)).containsExactly(at(log), at(scans));
        assertThat(
                        InputFiles.expand(
                                        List.of(labels.toString(), rules.toString()),
                                        InputScope.ALL,
                                        null,
                                        new S3Inputs(null))
                                .stream()
                                .map(InputFile::location))
                .containsExactlyInAnyOrder(at(labels), at(rules));
    }

    @Test
    void dashReadsStandardInput() throws Exception {
        List<InputFile> files =
                InputFiles.expand(
                        List.of("-"),
                        InputScope.ALL,
                        new ByteArrayInputStream(
                                "{\"Records\":[]}".getBytes(StandardCharsets.UTF_8)),
                        new S3Inputs(null));
        assertThat(files)
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(Files.readString(Path.of(f.location())))
                                    .isEqualTo("{\"Records\":[]}");
                            assertThat(f.size()).isEqualTo(14);
                        });
    }

    @Test
    void missingPathsAreErrorsNamingThePath(@TempDir Path dir) {
        assertThatThrownBy(
                        () ->
                                InputFiles.expand(
                                        List.of(dir.resolve("nope").toString()),
                                        InputScope.ALL,
                                        null,
                                        new S3Inputs(null)))
                .hasMessageContaining("nope");
    }

    @Test
    void aFileOverInputMaxInflatedBytesIsNotRead(@TempDir Path dir) throws Exception {
        Path file =
                Files.write(
                        dir.resolve("big.json"),
                        "[]".repeat(600).getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> new FileReader(FileReader.Remote.NONE).read(file.toString(), 1000))
                .isInstanceOf(PayloadDecoder.TooLarge.class)
                .hasMessage("1200 bytes, larger than input.maxInflatedBytes (1000 bytes)");
        assertThatThrownBy(() -> InputFiles.read(file.toString(), new S3Inputs(null), 1199))
                .hasMessage("1200 bytes, larger than input.maxInflatedBytes (1199 bytes)");
        assertThat(InputFiles.read(file.toString(), new S3Inputs(null), 1200)).hasSize(1200);
    }
}
