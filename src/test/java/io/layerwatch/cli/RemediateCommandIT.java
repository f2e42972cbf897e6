package io.layerwatch.cli;

import static io.layerwatch.remediation.Fixtures.EXISTING_POLICY;
import static io.layerwatch.remediation.Fixtures.body;
import static io.layerwatch.remediation.Fixtures.ecr;
import static io.layerwatch.remediation.Fixtures.ecrCalls;
import static io.layerwatch.remediation.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.ConfigException;
import io.layerwatch.finding.Finding;
import io.layerwatch.remediation.Fixtures;
import io.layerwatch.sinks.remediation.Responder;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.LogCapture;
import io.layerwatch.util.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code remediate plan | apply | undo} as scripts use them: JSON lines out, audit log, exit codes.
 */
class RemediateCommandIT {

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    @TempDir Path dir;

    record Run(int code, String out, String err) {
        List<JsonNode> lines() {
            List<JsonNode> out = new ArrayList<>();
            this.out.lines().filter(l -> !l.isBlank()).forEach(l -> out.add(Json.tree(l)));
            return out;
        }

        List<String> results() {
            return lines().stream().map(n -> n.path("result").asText()).toList();
        }
    }

    /** The command as LayerWatchCli runs it (config errors: one line, exit 2). */
    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RemediateCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler(
                (ex, cmd, parsed) -> {
                    if (ex instanceof ConfigException) {
                        cmd.getErr().println("error: " + ex.getMessage());
                        return 2;
                    }
                    throw ex;
                });
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** The command of {@code args} followed by {@code more}. */
    static Run run(List<String> args, String... more) {
        return run(Stream.concat(args.stream(), Stream.of(more)).toArray(String[]::new));
    }

    /** {@code remediate apply --rules R --findings F --audit A} followed by {@code more}. */
    static Run apply(Path rules, Path findings, Path audit, String... more) {
        return run(
                List.of(
                        "apply",
                        "--rules",
                        rules.toString(),
                        "--findings",
                        findings.toString(),
                        "--audit",
                        audit.toString()),
                more);
    }

    /** {@code remediate undo --rules R --audit A --id ID} followed by {@code more}. */
    static Run undo(Path rules, Path audit, String id, String... more) {
        return run(
                List.of(
                        "undo",
                        "--rules",
                        rules.toString(),
                        "--audit",
                        audit.toString(),
                        "--id",
                        id),
                more);
    }

    Path rules(String remediation) throws Exception {
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(
                rules,
                """
                sinks:
                  aws: {region: us-east-1, endpoint: "%s"}
                  delivery: {maxAttempts: 2, baseDelay: 1ms, maxDelay: 2ms}
                  deadLetter: {type: file, path: "%s"}
                remediation:
                %s"""
                        .formatted(
                                AWS.endpoint(), dir.resolve("dead.jsonl"), remediation.indent(2)));
        return rules;
    }

    Path findings(Finding... findings) throws Exception {
        Path file = dir.resolve("findings.jsonl");
        StringBuilder text = new StringBuilder();
        for (Finding f : findings) {
            text.append(Json.write(f)).append("\n\n");
        }
        Files.writeString(file, text);
        return file;
    }

    /**
     * Two findings of one repository mapped to an executable quarantine and a dry-run
     * remove-exposing-statements, and a third no rule maps; the repository has {@link
     * Fixtures#EXISTING_POLICY}.
     */
    final class Mapped {
        final Path rules;
        final Finding vulnerable = Fixtures.vulnerable("payments-api", "cli-1");
        final Path findings;
        final Path audit = dir.resolve("audit.jsonl");

        Mapped() throws Exception {
            rules =
                    rules(
                            """
                    rules:
                      vulnerable-image-scan: {actions: [quarantine-repository]}
                      repository-exposed: {actions: [remove-exposing-statements]}
                    actions:
                      quarantine-repository: {dryRun: false}
                    """);
            findings =
                    findings(
                            vulnerable,
                            Fixtures.exposed("cli-2"),
                            Fixtures.download("111122223333", "dev", "cli-3"));
            Fixtures.repositoryPolicy(AWS.server(), EXISTING_POLICY);
        }

        /** {@code remediate <name> --rules R --audit A} followed by {@code more}. */
        Run command(String name, String... more) {
            return run(
                    List.of(name, "--rules", rules.toString(), "--audit", audit.toString()), more);
        }

        Run plan() {
            return command("plan", "--findings", findings.toString());
        }

        Run apply(String... more) {
            return RemediateCommandIT.apply(rules, findings, audit, more);
        }

        /** Serves the policy {@code executed} left behind, from a fresh request journal. */
        void servePolicyLeftBy(Run executed) {
            String after = executed.lines().get(0).path("after").path("policyText").asText();
            AWS.server().resetAll();
            Fixtures.repositoryPolicy(AWS.server(), after);
        }

        Run undo(String... more) {
            return RemediateCommandIT.undo(rules, audit, vulnerable.id(), more);
        }
    }

    @Test
    void planListsEachActionWithItsModeAndWritesNoAudit() throws Exception {
        Mapped m = new Mapped();

        Run plan = m.plan();

        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.lines())
                .extracting(
                        n ->
                                n.path("action").asText()
                                        + " "
                                        + n.path("mode").asText()
                                        + " "
                                        + n.path("result").asText())
                .containsExactly(
                        "quarantine-repository execute planned",
                        "remove-exposing-statements dry-run planned");
        assertThat(plan.lines().get(0).path("change").path("mergeStatement").path("Sid").asText())
                .isEqualTo("LayerWatchQuarantine");
        assertThat(Files.exists(m.audit)).isFalse();
    }

    @Test
    void applyWithoutExecuteOnlyDryRunsAndCallsNothing() throws Exception {
        Mapped m = new Mapped();

        Run dry = m.apply();

        assertThat(dry.code()).isZero();
        assertThat(dry.results()).containsExactly("dry-run", "dry-run");
        assertThat(AWS.server().getAllServeEvents()).isEmpty();
        assertThat(Files.readAllLines(m.audit)).hasSize(2);
    }

    @Test
    void anExecutedActionIsAlreadyDoneOnTheNextRun() throws Exception {
        Mapped m = new Mapped();

        Run exec = m.apply("--execute");
        assertThat(exec.code()).as(exec.err()).isZero();
        assertThat(exec.results()).containsExactly("executed", "dry-run");
        assertThat(ecrCalls(AWS.server(), "SetRepositoryPolicy")).hasSize(1);

        Run again = m.apply("--execute");
        assertThat(again.results()).containsExactly("already-done", "dry-run");
        assertThat(ecrCalls(AWS.server(), "SetRepositoryPolicy")).hasSize(1);
    }

    @Test
    void undoPreviewsThenRestoresTheExactPriorPolicy() throws Exception {
        Mapped m = new Mapped();
        Run exec = m.apply("--execute");
        m.servePolicyLeftBy(exec);

        Run preview = m.undo("--dry-run");
        assertThat(preview.results()).containsExactly("dry-run");
        assertThat(preview.lines().get(0).path("after").path("policyText").asText())
                .isEqualTo(EXISTING_POLICY);
        assertThat(AWS.server().getAllServeEvents()).isEmpty();

        Run undo = m.undo();
        assertThat(undo.code()).as(undo.err()).isZero();
        assertThat(undo.results()).containsExactly("undone");
        assertThat(undo.lines().get(0).path("undoes").asText())
                .isEqualTo(exec.lines().get(0).path("id").asText());
        assertThat(
                        body(ecrCalls(AWS.server(), "SetRepositoryPolicy").get(0))
                                .path("policyText")
                                .asText())
                .isEqualTo(EXISTING_POLICY);
    }

    @Test
    void anUndoneActionIsNotRedoneByALaterRun() throws Exception {
        Mapped m = new Mapped();
        m.servePolicyLeftBy(m.apply("--execute"));
        assertThat(m.undo().results()).containsExactly("undone");

        // The other findings (same repository) are new requests, and find the quarantine still in
        // place (WireMock still serves the quarantined policy).
        Run later = m.apply("--execute", "--action", "quarantine-repository");
        assertThat(later.results()).containsExactly("already-done", "no-change", "no-change");
        assertThat(ecrCalls(AWS.server(), "SetRepositoryPolicy")).hasSize(1);
    }

    /**
     * {@code apply --action Quarantine-Repository --execute} on one finding no rule maps, while
     * SetRepositoryPolicy fails with a 503.
     */
    Run applyAnExplicitActionThatFails() throws Exception {
        Path rules = rules("actions:\n  quarantine-repository: {dryRun: false}\n");
        Path findings = findings(Fixtures.vulnerable("payments-api", "f-1"));
        Fixtures.repositoryPolicy(AWS.server(), EXISTING_POLICY);
        AWS.server()
                .stubFor(
                        ecr("SetRepositoryPolicy")
                                .willReturn(
                                        json(
                                                503,
                                                "{\"__type\":\"ServerException\",\"message\":\"unavailable\"}")));
        return apply(
                rules,
                findings,
                dir.resolve("a.jsonl"),
                "--action",
                "Quarantine-Repository",
                "--execute",
                "--failed-findings",
                dir.resolve("failed.jsonl").toString());
    }

    @Test
    void anExplicitActionInAnyCaseAppliesToAFindingNoRuleMaps() throws Exception {
        Run run = applyAnExplicitActionThatFails();

        assertThat(run.results()).containsExactly("failed");
        assertThat(run.err())
                .startsWith("error: Remediation failed: quarantine-repository on arn:aws:ecr:");
    }

    @Test
    void aFailedActionExitsThreeWithAFailureFindingAndADeadLetter() throws Exception {
        Run run = applyAnExplicitActionThatFails();

        assertThat(run.code()).isEqualTo(RemediateCommand.FAILED);
        assertThat(
                        Json.tree(Files.readAllLines(dir.resolve("failed.jsonl")).get(0))
                                .path("ruleId")
                                .asText())
                .isEqualTo("remediation-failed");
        assertThat(Files.readAllLines(dir.resolve("dead.jsonl"))).hasSize(1);
    }

    @Test
    void securityHubCustomActionEventsAreActedOnAsTheJobActsOnThem() throws Exception {
        // The analyst's click, saved from EventBridge: it must not be refused as "not a finding".
        Path rules =
                rules(
                        """
                customActions: {LWQuarantine: quarantine-repository}
                actions:
                  quarantine-repository: {dryRun: false}
                """);
        String click =
                Json.tree(Fixtures.resource("remediation/securityhub-custom-action.json"))
                        .toString();
        Path input = dir.resolve("clicks.jsonl");
        Files.writeString(
                input, Json.write(Fixtures.vulnerable("users-api", "cl-1")) + "\n" + click + "\n");
        Fixtures.repositoryPolicy(AWS.server(), EXISTING_POLICY);

        Run plan =
                run(
                        "plan",
                        "--rules",
                        rules.toString(),
                        "--findings",
                        input.toString(),
                        "--audit",
                        dir.resolve("a.jsonl").toString());
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.results()).containsExactly("planned", "planned", "not-applicable");
        assertThat(plan.lines().get(0).path("trigger").asText())
                .isEqualTo("custom-action:LWQuarantine");

        Run apply = apply(rules, input, dir.resolve("a.jsonl"), "--execute");
        assertThat(apply.code()).as(apply.err()).isZero();
        assertThat(apply.results()).containsExactly("executed", "executed", "not-applicable");
        assertThat(ecrCalls(AWS.server(), "SetRepositoryPolicy"))
                .extracting(r -> body(r).path("repositoryName").asText())
                .containsExactly("orders-api", "payments-api");

        Files.writeString(
                input, click.replace("\"findings\":[", "\"findings\":\"x\",\"y\":[") + "\n");
        Run bad = run("plan", "--rules", rules.toString(), "--findings", input.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().strip())
                .isEqualTo(
                        "error: "
                                + input
                                + ": line 1: Security Hub custom action without a"
                                + " findings array");
    }

    @Test
    void mistakesAreOneLineErrors() throws Exception {
        Path rules = rules("enabled: false\n");
        Path findings = findings(Fixtures.vulnerable("payments-api", "m-1"));
        Run badAction =
                run(
                        "plan",
                        "--rules",
                        rules.toString(),
                        "--findings",
                        findings.toString(),
                        "--action",
                        "nuke");
        assertThat(badAction.code()).isEqualTo(2);
        assertThat(badAction.err()).contains("--action: 'nuke' is not an action");

        Files.writeString(dir.resolve("junk.jsonl"), "{\"not\":\"a finding\"}\n");
        Run junk =
                run(
                        "plan",
                        "--rules",
                        rules.toString(),
                        "--findings",
                        dir.resolve("junk.jsonl").toString());
        assertThat(junk.code()).isEqualTo(2);
        assertThat(junk.err().strip())
                .isEqualTo(
                        "error: "
                                + dir.resolve("junk.jsonl")
                                + ": line 1 is not a finding (findings JSON lines as replay writes them) nor a Security Hub"
                                + " custom-action event");

        Run missing =
                run(
                        "undo",
                        "--rules",
                        rules.toString(),
                        "--audit",
                        dir.resolve("none.jsonl").toString(),
                        "--id",
                        "x");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err())
                .startsWith("error: no executed action with audit record id or finding id x");

        Run bareCommand = run();
        assertThat(bareCommand.code()).isEqualTo(2);
        assertThat(bareCommand.err()).contains("missing subcommand");
    }

    /**
     * A repository name with an OSC-8 link, a screen clear, a fake "error:" line, RTL override and
     * a C1 CSI.
     */
    static final String HOSTILE_REPO =
            "pay\u001B]8;;https://evil.example\u0007click\u001B]8;;\u0007\u001B[2J"
                    + "\r\nerror: all good\u202E\u009B31m";

    static final String[] TERMINAL_CONTROLS = {"\u001B", "\u0007", "\r", "\u202E", "\u009B"};

    static void assertTerminalSafe(Run run, int outLines) {
        assertThat(run.out() + run.err()).doesNotContain(TERMINAL_CONTROLS);
        assertThat(run.out().lines().filter(l -> !l.isBlank()).toList())
                .hasSize(outLines)
                .allSatisfy(l -> assertThat(Json.tree(l)).isNotNull());
        assertThat(run.err().lines().toList())
                .allSatisfy(l -> assertThat(l).startsWith("error: Remediation failed"));
    }

    @Test
    void hostileRepositoryNamesReachTheTerminalAndLogsAsInertText() throws Exception {
        Path rules = rules("actions:\n  quarantine-repository: {dryRun: false}\n");
        String repo = Json.write(HOSTILE_REPO);
        Path findings = findings(Fixtures.vulnerable(repo.substring(1, repo.length() - 1), "h-1"));
        Path audit = dir.resolve("audit.jsonl");
        Fixtures.repositoryPolicy(AWS.server(), EXISTING_POLICY);

        Run exec = apply(rules, findings, audit, "--action", "quarantine-repository", "--execute");
        assertThat(exec.results()).containsExactly("executed");
        assertTerminalSafe(exec, 1);
        assertThat(exec.out())
                .contains("\\u001B]8;;https://evil.example\\u0007"); // the name, as JSON escapes
        Run undo = undo(rules, audit, exec.lines().get(0).path("id").asText(), "--dry-run");
        assertThat(undo.results()).containsExactly("dry-run");
        assertTerminalSafe(undo, 1);

        AWS.server()
                .stubFor(
                        ecr("SetRepositoryPolicy")
                                .willReturn(
                                        json(
                                                400,
                                                "{\"__type\":\"InvalidParameterException\","
                                                        + "\"message\":\"bad name "
                                                        + repo.substring(1, repo.length() - 1)
                                                        + "\"}")));
        Path again = findings(Fixtures.vulnerable(repo.substring(1, repo.length() - 1), "h-2"));
        try (LogCapture logs = LogCapture.of(Responder.class)) {
            Run failed =
                    apply(
                            rules,
                            again,
                            dir.resolve("other.jsonl"),
                            "--action",
                            "quarantine-repository",
                            "--execute");
            assertThat(failed.results()).containsExactly("failed");
            assertThat(failed.err()).contains("\\u001B[2J");
            assertTerminalSafe(failed, 1);
            assertThat(logs.messages())
                    .isNotEmpty()
                    .allSatisfy(
                            m ->
                                    assertThat(m)
                                            .doesNotContain(TERMINAL_CONTROLS)
                                            .doesNotContain("\n"));
        }
    }
}
