package io.layerwatch.cli;

import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.remediation.AuditLog;
import io.layerwatch.sinks.remediation.AuditRecord;
import io.layerwatch.sinks.remediation.RemediationBatch;
import io.layerwatch.sinks.remediation.RemediationSettings;
import io.layerwatch.util.Json;
import io.layerwatch.util.SafeText;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code remediate plan | apply | undo}: the response actions over a findings file, with the
 * guardrails of the streaming job (dry run unless enabled per action, protected principals and
 * repositories, rate limits, never twice per finding and action). Output: one JSON audit record per
 * line. Exit codes: 0 done, 1 error, 2 bad usage or config, 3 some action failed (dead-lettered).
 */
@Command(
        name = "remediate",
        mixinStandardHelpOptions = true,
        description =
                "Plan, apply and undo response actions on findings (settings: the remediation: section of the "
                        + "rules file). Output: one JSON audit record per line. Exit 0 done, 2 bad usage, 3 an action failed.",
        subcommands = {
            RemediateCommand.Plan.class,
            RemediateCommand.Apply.class,
            RemediateCommand.Undo.class
        })
public final class RemediateCommand implements Callable<Integer> {
    /** Exit code when an action (or undo) failed after its retries. */
    public static final int FAILED = 3;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing subcommand: plan, apply or undo");
    }

    /** Options of every subcommand. */
    static class Common {
        @Spec CommandSpec spec;

        @Mixin RulesOption rules;

        RulesConfig config() {
            return rules.load();
        }

        AuditLog log(RulesConfig config, Path audit) {
            return new AuditLog(audit != null ? audit : Paths.get(config.remediation().auditLog()));
        }

        Consumer<AuditRecord> printer() {
            PrintWriter out = spec.commandLine().getOut();
            return r -> {
                out.println(SafeText.json(r));
                out.flush();
            };
        }

        String action(String value) {
            if (value == null) {
                return null;
            }
            try {
                String a = RemediationConfig.actionName(value, "--action");
                if (RemediationConfig.NOTIFY.equals(a)) {
                    throw new IllegalArgumentException("--action: notify is not a response action");
                }
                return a;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }

        /** A batch run with the config's settings, the audit log and this CLI user as the actor. */
        RemediationBatch batch(RulesConfig config, Path audit) throws Exception {
            return new RemediationBatch(
                    RemediationSettings.from(config, null),
                    log(config, audit),
                    actor(),
                    Thread::sleep);
        }

        static String actor() {
            String user = System.getProperty("user.name");
            return "cli:" + (user == null || user.isBlank() ? "unknown" : user);
        }

        int finish(RemediationBatch batch, int failed, Path failedFindings) throws Exception {
            List<Finding> failures = batch.failures();
            if (failedFindings != null && !failures.isEmpty()) {
                if (failedFindings.getParent() != null) {
                    Files.createDirectories(failedFindings.getParent());
                }
                try (BufferedWriter w =
                        Files.newBufferedWriter(
                                failedFindings,
                                StandardCharsets.UTF_8,
                                StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND)) {
                    for (Finding f : failures) {
                        w.write(Json.write(f));
                        w.write('\n');
                    }
                }
            }
            for (Finding f : failures) {
                spec.commandLine()
                        .getErr()
                        .println(
                                "error: "
                                        + SafeText.escape(f.title())
                                        + ": "
                                        + SafeText.escape(
                                                String.valueOf(f.details().get("error"))));
            }
            spec.commandLine().getErr().flush();
            return failed > 0 ? FAILED : 0;
        }
    }

    @Command(
            name = "plan",
            mixinStandardHelpOptions = true,
            description =
                    "Print the actions apply --execute would take now, one JSON line each (result planned, "
                            + "protected, rate-limited, not-applicable or already-done; mode dry-run or execute). Sends nothing.")
    static final class Plan extends Common implements Callable<Integer> {
        @Mixin FindingsInput input;

        @Option(
                names = "--audit",
                paramLabel = "FILE",
                description =
                        "Audit log to consult (what ran before); default remediation.auditLog.")
        Path audit;

        @Override
        public Integer call() throws Exception {
            String a = action(input.action);
            RulesConfig config = config();
            RemediationBatch.Input list = input.read();
            try (RemediationBatch batch = batch(config, audit)) {
                batch.plan(list, a, printer());
            }
            return 0;
        }
    }

    /** --findings FILE and --action ACTION of plan and apply. */
    static final class FindingsInput {
        @Option(
                names = "--findings",
                paramLabel = "FILE",
                required = true,
                description =
                        "Findings JSON lines, as replay writes them, and Security Hub custom-action events "
                                + "(one JSON object a line; they take the action remediation.customActions maps them to); "
                                + "- for standard input.")
        String findings;

        @Option(
                names = "--action",
                paramLabel = "ACTION",
                description =
                        "This action for every finding instead of the rule mappings: quarantine-repository, "
                                + "remove-exposing-statements, deny-layer-download, revoke-sessions, register-registry.")
        String action;

        RemediationBatch.Input read() {
            return RemediationBatch.readInput(findings, System.in);
        }
    }

    @Command(
            name = "apply",
            mixinStandardHelpOptions = true,
            description =
                    "Run the actions: a dry run unless --execute is given AND the action's dryRun is false in "
                            + "the config; the guardrails always apply. Appends every decision to the audit log and prints it.")
    static final class Apply extends Common implements Callable<Integer> {
        @Mixin FindingsInput input;

        @Option(
                names = "--execute",
                description = "Really execute the actions whose dryRun is false.")
        boolean execute;

        @Option(
                names = "--audit",
                paramLabel = "FILE",
                description = "Audit log to append to; default remediation.auditLog.")
        Path audit;

        @Option(
                names = "--failed-findings",
                paramLabel = "FILE",
                description =
                        "Append the remediation-failed findings of failed actions here (JSON lines).")
        Path failedFindings;

        @Override
        public Integer call() throws Exception {
            String a = action(input.action);
            RulesConfig config = config();
            RemediationBatch.Input list = input.read();
            try (RemediationBatch batch = batch(config, audit)) {
                int failed = batch.apply(list, a, execute, printer());
                return finish(batch, failed, failedFindings);
            }
        }
    }

    @Command(
            name = "undo",
            mixinStandardHelpOptions = true,
            description =
                    "Revert executed actions: ID is an audit record id, or a finding id (every executed action "
                            + "for it, latest first). Restores the exact prior state when the target is as the action left it, "
                            + "else reverts only LayerWatch's own change.")
    static final class Undo extends Common implements Callable<Integer> {
        @Option(
                names = "--audit",
                paramLabel = "FILE",
                required = true,
                description = "The audit log of the actions.")
        Path audit;

        @Option(
                names = "--id",
                paramLabel = "ID",
                required = true,
                description = "Audit record id or finding id.")
        String id;

        @Option(names = "--dry-run", description = "Print what would be restored; send nothing.")
        boolean dryRun;

        @Option(
                names = "--failed-findings",
                paramLabel = "FILE",
                description =
                        "Append the remediation-failed findings of failed undos here (JSON lines).")
        Path failedFindings;

        @Override
        public Integer call() throws Exception {
            RulesConfig config = config();
            try (RemediationBatch batch = batch(config, audit)) {
                int failed = batch.undo(id, dryRun, printer());
                return finish(batch, failed, failedFindings);
            }
        }
    }
}
