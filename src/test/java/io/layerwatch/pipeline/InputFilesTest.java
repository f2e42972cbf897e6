package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {

    static Path touch(Path dir, String relative) throws Exception {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "{}");
        return p;
    }

    @Test
    void walksTheCloudTrailLayoutInDeliveryOrderAndSkipsFilesOutsideTheRange(@TempDir Path dir) throws Exception {
        String day = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/";
        Path late = touch(dir, day + "111122223333_CloudTrail_us-east-1_20240501T1300Z_b.json.gz");
        Path early = touch(dir, day + "111122223333_CloudTrail_us-east-1_20240501T0900Z_a.json.gz");
        Path before = touch(dir, day + "111122223333_CloudTrail_us-east-1_20240430T2300Z_c.json.gz");
        Path after = touch(dir, day + "111122223333_CloudTrail_us-east-1_20240501T2200Z_d.json.gz");
        Path unnamed = touch(dir, "extra/events.jsonl");
        touch(dir, day + ".hidden");

        assertThat(InputFiles.expand(List.of(dir.toString()), null, null, null))
                .containsExactly(unnamed, before, early, late, after);
        assertThat(InputFiles.expand(List.of(dir.toString()), Instant.parse("2024-05-01T00:00:00Z"),
                Instant.parse("2024-05-01T14:00:00Z"), null)).containsExactly(unnamed, early, late);
    }

    @Test
    void directoryWalksSkipTheLabelsAndRulesOfAGeneratedTrailButNamedFilesAreRead(@TempDir Path dir) throws Exception {
        Path log = touch(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/"
                + "111122223333_CloudTrail_us-east-1_20240501T0900Z_a.json.gz");
        Path scans = touch(dir, "ecr-scan-events/111122223333/us-east-1/2024/05/01/"
                + "111122223333_ecr-scan-events_us-east-1_20240501T0905Z_b.jsonl.gz");
        Path labels = touch(dir, "labels.jsonl");
        Path rules = touch(dir, "rules.yaml");

        assertThat(InputFiles.expand(List.of(dir.toString()), null, null, null)).containsExactly(log, scans);
        assertThat(InputFiles.expand(List.of(labels.toString(), rules.toString()), null, null, null))
                .containsExactlyInAnyOrder(labels, rules);
    }

    @Test
    void dashReadsStandardInput() throws Exception {
        List<Path> files = InputFiles.expand(List.of("-"), null, null,
                new ByteArrayInputStream("{\"Records\":[]}".getBytes(StandardCharsets.UTF_8)));
        assertThat(files).singleElement().satisfies(f -> assertThat(Files.readString(f)).isEqualTo("{\"Records\":[]}"));
    }

    @Test
    void missingPathsAreErrorsNamingThePath(@TempDir Path dir) {
        assertThatThrownBy(() -> InputFiles.expand(List.of(dir.resolve("nope").toString()), null, null, null))
                .hasMessageContaining("nope");
    }
}
