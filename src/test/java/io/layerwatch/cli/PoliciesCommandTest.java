package io.layerwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.ConfigException;
import io.layerwatch.policies.IamPolicyChecks;
import io.layerwatch.policies.PreventivePolicies;
import io.layerwatch.policies.PreventivePoliciesTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code layerwatch policies --rules FILE --out DIR}. */
public class PoliciesCommandTest {

    public record Run(int code, String out, String err, Exception error) {}

    /**
     * Runs the command on its own (as LayerWatchCli runs its subcommands), capturing any exception.
     */
    public static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicReference<Exception> error = new AtomicReference<>();
        CommandLine cli = new CommandLine(new PoliciesCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler(
                (ex, cmd, parsed) -> {
                    error.set(ex);
                    return ex instanceof ConfigException ? 2 : 1;
                });
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString(), error.get());
    }

    @Test
    void writesTheFiveFilesListingThem(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("mine.yaml");
        Files.writeString(rules, PreventivePoliciesTest.RULES);
        Path out = dir.resolve("out");
        Run r =
                run(
                        "--rules",
                        rules.toString(),
                        "--out",
                        out.toString(),
                        "--break-glass",
                        "arn:aws:iam::111122223333:role/break-glass");
        assertThat(r.error()).isNull();
        assertThat(r.code()).isZero();
        for (String file : PreventivePolicies.files()) {
            Path written = out.resolve(file);
            assertThat(written).exists();
            assertThat(r.out()).contains("wrote " + written);
            assertThat(Files.readString(written)).endsWith("}\n");
        }
        assertThat(r.out()).contains("/5120 chars)");
        assertThat(r.err())
                .contains("warning: " + rules + ": allowlist.principals[2] ")
                .contains(
                        "warning: scp-ecr-layer-download.json denies ecr:BatchGetImage and ecr:GetDownloadUrlForLayer "
                                + "to every principal not in allowlist.principals or --break-glass")
                .contains("run with --pullers TRAIL")
                .contains("attach it to a test OU first");
        IamPolicyChecks.valid(
                Files.readString(out.resolve(PreventivePolicies.SCP)),
                IamPolicyChecks.Kind.SERVICE_CONTROL);
    }

    @Test
    void aMissingInputFailsWithTheConfigKeyWritingNothing(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("mine.yaml");
        Files.writeString(rules, "allowlist:\n  principals: ['arn:aws:iam::*:role/ci-*']\n");
        Path out = dir.resolve("out");
        Run r = run("--rules", rules.toString(), "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.error()).isInstanceOf(ConfigException.class);
        assertThat(r.error().getMessage())
                .startsWith(rules + ": allowlist.organizationId: not set;")
                .doesNotContain("\n");
        assertThat(out).doesNotExist();
    }

    @Test
    void rulesAndOutAreRequired(@TempDir Path dir) {
        Run r = run("--out", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option: '--rules=FILE'");
        assertThat(run("--rules", "x.yaml").err()).contains("Missing required option: '--out=DIR'");
        assertThat(run("--help").out())
                .contains("--break-glass=ARN")
                .contains("--rules=FILE")
                .contains("--out=DIR")
                .contains("--pullers=PATH...")
                .contains("--pullers-days=N")
                .contains("--pullers-users");
    }

    @Test
    void throughTheLayerWatchCliErrorsAreOneLine(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("mine.yaml");
        Files.writeString(rules, "allowlist:\n  principals: ['arn:aws:iam::*:role/ci-*']\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                LayerWatchCli.execute(
                        new PrintWriter(out),
                        new PrintWriter(err),
                        "policies",
                        "--rules",
                        rules.toString(),
                        "--out",
                        dir.resolve("out").toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip())
                .startsWith("error: " + rules + ": allowlist.organizationId: not set;")
                .doesNotContain("\n")
                .doesNotContain("Exception");
    }
}
