package io.layerwatch.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.layerwatch.testing.RequiredTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/cfn-lint.sh (AWS's cfn-lint, a Python program) rejects what the project's former
 * validator let through.
 */
class CfnLintScriptIT {

    /**
     * A template that lints clean, holding the three resource types whose invalid values the former
     * validator took.
     */
    static final String LINT_FIXTURE =
            """
            AWSTemplateFormatVersion: "2010-09-09"
            Description: scripts/cfn-lint.sh fixture
            Parameters:
              RoleArn:
                Type: String
                Default: arn:aws:iam::123456789012:role/layerwatch-application
            Resources:
              Application:
                Type: AWS::KinesisAnalyticsV2::Application
                Properties:
                  RuntimeEnvironment: FLINK-1_20
                  ServiceExecutionRole: !Ref RoleArn
                  ApplicationConfiguration:
                    ApplicationCodeConfiguration:
                      CodeContentType: ZIPFILE
                      CodeContent:
                        S3ContentLocation:
                          BucketARN: arn:aws:s3:::layerwatch-artifacts
                          FileKey: layerwatch/layerwatch-msf.jar
              Rule:
                Type: AWS::Events::Rule
                Properties:
                  State: ENABLED
                  EventPattern:
                    source: [aws.ecr]
              RemediateAction:
                Type: AWS::SecurityHub::ActionTarget
                Properties:
                  Name: LayerWatch remediate
                  Description: Remediate the selected findings with LayerWatch.
                  Id: LayerWatchRemediate
            Outputs:
              ActionArn:
                Value: !GetAtt RemediateAction.ActionTargetArn
            """;

    @Test
    void theLintScriptRejectsWhatTheFormerValidatorAccepted(@TempDir Path dir) throws Exception {
        RequiredTool.require(
                cfnLintInstalled(),
                "cfn-lint is not installed here (.ci/run installs it through "
                        + "scripts/cfn-lint.sh; by hand: pip install cfn-lint==1.51.0)");
        String longName = "L".repeat(65);
        Map<String, String> mutations = new LinkedHashMap<>();
        mutations.put("RuntimeEnvironment: FLINK-1_20", "RuntimeEnvironment: FLINK-9_99");
        mutations.put("State: ENABLED", "State: BOGUS_STATE");
        mutations.put("CodeContentType: ZIPFILE", "CodeContentType: JARFILE");
        mutations.put("Name: LayerWatch remediate", "Name: " + longName);
        String bad = LINT_FIXTURE;
        for (Map.Entry<String, String> m : mutations.entrySet()) {
            assertThat(bad).contains(m.getKey());
            bad = bad.replace(m.getKey(), m.getValue());
        }
        Path good = Files.writeString(dir.resolve("fixture.yaml"), LINT_FIXTURE);
        Path wrong = Files.writeString(dir.resolve("fixture-bad.yaml"), bad);

        Lint result = lint(dir, good.toString(), wrong.toString());

        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output())
                .contains("ok   fixture.yaml\n", "FAIL fixture-bad.yaml\n", "1 passed, 1 failed")
                .contains(
                        "E3030 'FLINK-9_99' is not one of",
                        "E3030 'BOGUS_STATE' is not one of",
                        "E3030 'JARFILE' is not one of",
                        "E3033 '" + longName + "' is longer than 20");
    }

    record Lint(int exitCode, String output) {}

    static Lint lint(Path dir, String... templates) throws IOException, InterruptedException {
        List<String> cmd =
                new ArrayList<>(List.of("bash", Paths.get("scripts", "cfn-lint.sh").toString()));
        cmd.addAll(List.of(templates));
        Path out = dir.resolve("cfn-lint.out");
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("scripts/cfn-lint.sh did not finish in 600 s:\n" + Files.readString(out));
        }
        return new Lint(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    static boolean cfnLintInstalled() {
        for (List<String> probe :
                List.of(
                        List.of("cfn-lint", "--version"),
                        List.of("python3", "-c", "import cfnlint.runner"))) {
            try {
                Process p =
                        new ProcessBuilder(probe)
                                .redirectErrorStream(true)
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                                .start();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return true;
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // not on PATH: try the next probe
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
