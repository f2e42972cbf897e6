package io.layerwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.cli.CliTest;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real trails through {@code layerwatch replay} with the built-in rules: the flaws2.cloud
 * compromise (a Lambda function's session key used from a laptop to pull from ECR) is a {@code
 * workload-credentials-outside} HIGH finding, in one incident with the layer it pulled; the other
 * real trails (test resources samples/real, the demo's invictus log files) give nothing HIGH or
 * CRITICAL and no incident.
 */
class WorkloadCredentialsOutsideReplayIT {

    private static final Path REAL = Path.of("src/test/resources/samples/real");

    private static List<JsonNode> replay(Path dir, String... inputs) throws Exception {
        Path out = dir.resolve("out");
        String[] args = new String[inputs.length + 4];
        args[0] = "replay";
        args[1] = "--quiet";
        args[2] = "--out";
        args[3] = out.toString();
        System.arraycopy(inputs, 0, args, 4, inputs.length);
        CliTest.Run r = CliTest.run(args);
        assertThat(r.code()).as(r.err()).isZero();
        return Files.readAllLines(out.resolve("findings.jsonl")).stream().map(Json::tree).toList();
    }

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(strings = {"1", "2"})
    void flaws2LambdaKeyUsedFromALaptopIsHigh(String parallelism, @TempDir Path dir)
            throws Exception {
        List<JsonNode> findings =
                replay(dir, "--parallelism", parallelism, REAL.resolve("flaws2").toString());

        List<JsonNode> workload =
                findings.stream()
                        .filter(
                                f ->
                                        f.path("ruleId")
                                                .asText()
                                                .equals(WorkloadCredentialsOutside.ID))
                        .toList();
        assertThat(workload)
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.path("severity").asText()).isEqualTo("HIGH");
                            JsonNode d = f.path("details");
                            assertThat(d.path("accessKeyId").asText())
                                    .isEqualTo("ASIAZQNB3KHGIGYQXVVG");
                            assertThat(d.path("role").asText())
                                    .isEqualTo(
                                            "arn:aws:iam::653711331788:role/service-role/level1");
                            assertThat(d.path("workload").asText()).isEqualTo("Lambda");
                            assertThat(d.path("workloadSourceIp").asText())
                                    .isEqualTo("34.234.236.212");
                            assertThat(d.path("workloadNetwork").asText())
                                    .isEqualTo("34.234.0.0/16");
                            assertThat(d.path("workloadUserAgent").asText())
                                    .isEqualTo("awslambda-worker");
                            assertThat(d.path("outsideSourceIp").asText())
                                    .isEqualTo("104.102.221.250");
                            assertThat(d.path("outsideClient").asText()).isEqualTo("AWS CLI");
                            assertThat(f.path("title").asText())
                                    .contains("arn:aws:iam::653711331788:role/service-role/level1")
                                    .contains("104.102.221.250");
                            // Evidence: the function's own CloudWatch Logs call (the origin) and
                            // the first ECR call from outside.
                            assertThat(f.path("evidence").findValuesAsText("eventName"))
                                    .containsExactly("CreateLogStream", "ListImages");
                        });
        assertThat(findings).noneMatch(f -> f.path("severity").asText().equals("CRITICAL"));
        // The stolen key's steps are one incident: the use from outside, then the layer pulled.
        assertThat(findings)
                .filteredOn(f -> f.path("ruleId").asText().equals("attack-sequence"))
                .singleElement()
                .satisfies(
                        i -> {
                            assertThat(i.path("severity").asText()).isEqualTo("HIGH");
                            assertThat(i.path("key").asText())
                                    .isEqualTo(
                                            "arn:aws:iam::653711331788:role/service-role/level1 (level1)");
                            assertThat(i.path("details").path("rules").toString())
                                    .isEqualTo(
                                            "[\"workload-credentials-outside\",\"layer-download\"]");
                            assertThat(i.path("description").asText())
                                    .startsWith(
                                            "Used a workload's session key from another network, 104.102.221.250, then downloaded");
                        });
    }

    @Test
    void otherRealTrailsGiveNothingHigh(@TempDir Path dir) throws Exception {
        List<JsonNode> findings =
                replay(
                        dir,
                        REAL.resolve("stratus-detonation").toString(),
                        REAL.resolve("traildiscover").toString(),
                        Path.of("job/demo/benign").toString());

        assertThat(findings)
                .noneMatch(f -> f.path("ruleId").asText().equals(WorkloadCredentialsOutside.ID))
                .noneMatch(f -> f.path("ruleId").asText().equals("attack-sequence"))
                .noneMatch(f -> f.path("severity").asText().equals("HIGH"))
                .noneMatch(f -> f.path("severity").asText().equals("CRITICAL"));
    }
}
