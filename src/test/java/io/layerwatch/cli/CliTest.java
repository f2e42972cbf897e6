package io.layerwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI contract scripts rely on: commands, flags, exit codes, output files, one-line errors. The
 * commands that run a job (replay, demo) are in CliReplayIT.
 */
public class CliTest {

    /** Exit code, standard output and standard error of one CLI run. */
    public record Run(int code, String out, String err) {}

    /** Runs the CLI in this JVM with captured output (other command tests use it too). */
    public static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = LayerWatchCli.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void validateSaysOkOrNamesTheProblem(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, "rules:\n  layer-download: {severity: MEDIUM}\n");
        Run ok = run("validate", "--rules", good.toString());
        assertThat(ok.code()).isZero();
        assertThat(ok.out().strip()).isEqualTo("OK: " + good + " is valid");

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "allowlist:\n  trustedCidrs: [300.1.1.1/8]\n");
        Run fail = run("validate", "--rules", bad.toString());
        assertThat(fail.code()).isEqualTo(2);
        assertThat(fail.err())
                .startsWith("error: " + bad + ": allowlist.trustedCidrs: item 0:")
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    @Test
    void validateRefusesWebhookUrlsAndHeadersThatLeakOrAreNotHttps(@TempDir Path dir)
            throws Exception {
        String[][] cases = {
            {"url: ftp://files.example/T0/s3cret", "sinks.webhook.url: must be https"},
            {"url: not a url s3cret", "sinks.webhook.url: is not a well-formed URL"},
            {"url: http://hooks.example/T0/s3cret", "sinks.webhook.url: must be https"},
            {
                "url: https://hooks.example/ok\n    headers: {Authorization: \"Bearer s3cret\\r\\nX-Evil: 1\"}",
                "sinks.webhook.headers: header Authorization has a control character"
            },
        };
        for (String[] c : cases) {
            Path bad = dir.resolve("webhook.yaml");
            Files.writeString(bad, "sinks:\n  webhook:\n    format: slack\n    " + c[0] + "\n");
            Run fail = run("validate", "--rules", bad.toString());
            assertThat(fail.code()).as(c[0]).isEqualTo(2);
            assertThat(fail.err())
                    .as(c[0])
                    .startsWith("error: " + bad + ": " + c[1])
                    .doesNotContain("s3cret")
                    .doesNotContain("Exception");
        }
        Path local = dir.resolve("local.yaml");
        Files.writeString(
                local, "sinks:\n  webhook: {format: slack, url: 'http://127.0.0.1:9000/hook'}\n");
        assertThat(run("validate", "--rules", local.toString()).code()).isZero();
    }

    @Test
    void rulesListsEveryRuleAndWhatIsInactive() {
        Run r = run("rules");
        assertThat(r.code()).isZero();
        for (String id : RuleCatalog.ids()) {
            assertThat(r.out()).contains(id);
        }
        assertThat(r.out())
                .contains("minDistinctLayers=50")
                .contains("window=10m")
                .contains("credential-network-hop is inactive")
                .contains("no registries: registry-not-assessed is inactive")
                .contains(
                        "incident: window=6h minRules=2 minSeverity=HIGH raise=[TA0010, repository-exposed,"
                                + " endgame-ioc]+[TA0005, TA0040, policy-deleted]");
        // ATT&CK: the ids per rule, each technique named once below the table.
        for (RuleCatalog.Rule rule : RuleCatalog.rules()) {
            String ids = String.join(",", rule.attack().stream().map(t -> t.technique()).toList());
            assertThat(r.out().lines())
                    .as(rule.id())
                    .anyMatch(
                            l ->
                                    l.startsWith(rule.id() + " ")
                                            && l.matches(".* " + Pattern.quote(ids) + " .*"));
        }
        assertThat(r.out())
                .contains("ATT&CK 16.1 techniques:")
                .contains(
                        "  T1552.005  Unsecured Credentials: Cloud Instance Metadata API (TA0006 Credential Access)");
        assertThat(r.out().lines().filter(l -> l.startsWith("  T1530 "))).hasSize(1);
    }

    @Test
    void errorsAreOneLineWithoutStackTraces(@TempDir Path dir) {
        Run missing = run("replay", "--out", dir.toString(), dir.resolve("nope.json").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err())
                .startsWith("error: ")
                .contains("nope.json")
                .doesNotContain("\tat ");

        Run badTime = run("replay", "--from", "yesterday", "--out", dir.toString(), "x");
        assertThat(badTime.code()).isEqualTo(2);
        assertThat(badTime.err()).contains("'yesterday' is not a time");

        Run help = run("replay", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out())
                .contains("--rules")
                .contains("--from")
                .contains("--to")
                .contains("--out");
    }
}
