package io.layerwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay flags of the scale work fail fast, in one line naming the flag and value. */
class ReplayFlagsTest {

    static void rejected(String expected, String... args) {
        CliTest.Run r = CliTest.run(args);
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(expected).doesNotContain("\tat ");
    }

    @Test
    void badValuesAreUsageErrors(@TempDir Path dir) {
        String out = dir.toString();
        rejected(
                "'12345' is not a 12-digit AWS account id",
                "replay",
                "--account",
                "12345",
                "--out",
                out,
                "x");
        rejected(
                "'useast1' is not an AWS region like us-east-1",
                "replay",
                "--region",
                "useast1",
                "--out",
                out,
                "x");
        rejected(
                "'localhost:9000' is not an http(s) URL",
                "replay",
                "--endpoint",
                "localhost:9000",
                "--out",
                out,
                "x");
        rejected(
                "--parallelism must be at least 1",
                "replay",
                "--parallelism",
                "0",
                "--out",
                out,
                "x");
    }

    @Test
    void clusterFlagsFailFastBeforeAnythingIsSubmitted(@TempDir Path dir) throws Exception {
        String out = dir.toString();
        String in = Files.writeString(dir.resolve("in.json"), "{}").toString();
        rejected(
                "'jobmanager' is not HOST:PORT",
                "replay",
                "--cluster",
                "jobmanager",
                "--out",
                out,
                in);
        rejected(
                "'host:99999' is not HOST:PORT",
                "replay",
                "--cluster",
                "host:99999",
                "--out",
                out,
                in);
        rejected("--job-jar needs --cluster", "replay", "--job-jar", in, "--out", out, in);
        rejected(
                "--cluster cannot read standard input",
                "replay",
                "--cluster",
                "127.0.0.1:1",
                "--out",
                out,
                "-");
        rejected(
                "--sink and --dry-run need a local replay",
                "replay",
                "--cluster",
                "127.0.0.1:1",
                "--sink",
                "ocsf",
                "--out",
                out,
                in);
        rejected(
                "--job-jar " + dir.resolve("none.jar") + ": no such file",
                "replay",
                "--cluster",
                "127.0.0.1:1",
                "--job-jar",
                dir.resolve("none.jar").toString(),
                "--out",
                out,
                in);
    }

    @Test
    void helpNamesTheFlags() {
        CliTest.Run help = CliTest.run("replay", "--help");
        assertThat(help.out())
                .contains("--account")
                .contains("--region")
                .contains("--endpoint")
                .contains("--quiet")
                .contains("--parallelism")
                .contains("s3://bucket/prefix")
                .contains("--cluster")
                .contains("--job-jar");
    }
}
