package io.layerwatch.sinks.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.ConfigException;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.Severity;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.decode.DecodeOutput;
import io.layerwatch.event.decode.PayloadDecoder;
import io.layerwatch.finding.Finding;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code remediate plan | apply | undo} over a findings file, with the same guardrails as the
 * streaming job: the audit log stands in for the job's keyed state (what was executed is never
 * executed again, what was undone is not redone, and the actions of the last hour count against the
 * rate limit).
 */
public final class RemediationBatch implements AutoCloseable {

    private final RemediationSettings settings;
    private final AuditLog log;
    private final String actor;
    private final Responder.Sleeper sleeper;
    private final List<Finding> failures = new ArrayList<>();
    private Responder responder;

    public RemediationBatch(
            RemediationSettings settings, AuditLog log, String actor, Responder.Sleeper sleeper) {
        this.settings = settings;
        this.log = log;
        this.actor = actor;
        this.sleeper = sleeper;
    }

    private RemediationConfig config() {
        return settings.config();
    }

    /**
     * What plan and apply read: findings, and Security Hub custom-action events (one per selected
     * finding), which take the action {@code remediation.customActions} maps their id to, as in the
     * job.
     */
    public record Input(List<Finding> findings, List<EcrEvent> customActions) {}

    /** The requests for the findings: the rule mappings, or {@code action} for every finding. */
    public List<ActionRequest> requests(List<Finding> findings, String action) {
        return requests(new Input(findings, List.of()), action);
    }

    /**
     * The requests for the input: findings as {@link #requests(List, String)}, custom actions by
     * their mapping.
     */
    public List<ActionRequest> requests(Input input, String action) {
        List<ActionRequest> out = new ArrayList<>();
        for (Finding f : input.findings()) {
            if (action == null) {
                out.addAll(Planner.forRule(f, config(), actor));
            } else {
                out.add(Planner.request(f, action, "cli", actor, f.id() + "|" + action, config()));
            }
        }
        for (EcrEvent e : input.customActions()) {
            out.add(CustomActions.request(e, config(), settings.hubAccountId()));
        }
        return out;
    }

    /**
     * What {@code apply --execute} would do now, without sending or writing anything: result
     * "planned" (in the mode it would run), or the guardrail that stops it, or "already-done".
     */
    public void plan(List<Finding> findings, String action, Consumer<AuditRecord> out) {
        plan(new Input(findings, List.of()), action, out);
    }

    public void plan(Input findings, String action, Consumer<AuditRecord> out) {
        List<AuditRecord> history = log.read();
        Set<String> done = executed(history);
        RateLimiter limiter = limiter(history);
        for (ActionRequest r : requests(findings, action)) {
            Instant now = settings.clock().instant();
            if (done.contains(key(r))) {
                out.accept(alreadyDone(r, true, now));
                continue;
            }
            Guard.Decision d = Guard.decide(r, config(), true, m -> limiter, now.toEpochMilli());
            String result =
                    d.verdict() == Guard.Verdict.EXECUTE || d.verdict() == Guard.Verdict.DRY_RUN
                            ? AuditRecord.RESULT_PLANNED
                            : Responder.resultOf(d.verdict());
            out.accept(Responder.decisionRecord(r, d, config(), now, result));
        }
    }

    /**
     * Runs the actions: executed only with {@code execute} and for actions whose dryRun is false,
     * otherwise dry runs. Every decision is appended to the audit log and passed to {@code out},
     * except "already-done" ones, which are only passed on.
     *
     * @return the number of failed actions
     */
    public int apply(
            List<Finding> findings, String action, boolean execute, Consumer<AuditRecord> out)
            throws InterruptedException {
        return apply(new Input(findings, List.of()), action, execute, out);
    }

    public int apply(Input findings, String action, boolean execute, Consumer<AuditRecord> out)
            throws InterruptedException {
        List<AuditRecord> history = log.read();
        Set<String> done = executed(history);
        RateLimiter limiter = limiter(history);
        int failed = 0;
        for (ActionRequest r : requests(findings, action)) {
            Instant now = settings.clock().instant();
            if (done.contains(key(r))) {
                out.accept(alreadyDone(r, execute, now));
                continue;
            }
            Guard.Decision d = Guard.decide(r, config(), execute, m -> limiter, now.toEpochMilli());
            AuditRecord rec =
                    d.verdict() == Guard.Verdict.EXECUTE
                            ? responder().execute(r)
                            : Responder.decisionRecord(
                                    r, d, config(), now, Responder.resultOf(d.verdict()));
            log.append(rec);
            out.accept(rec);
            if (rec.failed()) {
                failed++;
                failures.add(Responder.failureFinding(rec, config().failureSeverity()));
            } else if (rec.executeMode()) {
                done.add(key(r));
            }
        }
        return failed;
    }

    /**
     * Undoes the executed record {@code id}, or every executed (not yet undone) action of the
     * finding {@code id}, latest first.
     *
     * @return the number of failed undos
     */
    public int undo(String id, boolean dryRun, Consumer<AuditRecord> out)
            throws InterruptedException {
        List<AuditRecord> history = log.read();
        Set<String> undone = new HashSet<>();
        history.stream()
                .filter(h -> h.undoes() != null && h.executeMode() && !h.failed())
                .forEach(h -> undone.add(h.undoes()));
        List<AuditRecord> targets = new ArrayList<>();
        AuditRecord byId = history.stream().filter(h -> h.id().equals(id)).findFirst().orElse(null);
        if (byId != null) {
            if (byId.undoes() != null) {
                throw new ConfigException(
                        "audit record " + id + " is itself an undo (of " + byId.undoes() + ")");
            }
            if (!byId.undoable()) {
                throw new ConfigException(
                        "audit record "
                                + id
                                + " did not change anything (mode "
                                + byId.mode()
                                + ", result "
                                + byId.result()
                                + "): nothing to undo");
            }
            targets.add(byId);
        } else {
            history.stream()
                    .filter(h -> id.equals(h.findingId()) && h.undoable())
                    .sorted(Comparator.comparing(AuditRecord::time).reversed())
                    .forEach(targets::add);
            if (targets.isEmpty()) {
                throw new ConfigException(
                        "no executed action with audit record id or finding id "
                                + id
                                + " in "
                                + log.file());
            }
        }
        int failed = 0;
        for (AuditRecord t : targets) {
            Instant now = settings.clock().instant();
            if (undone.contains(t.id())) {
                out.accept(
                        undoRecord(
                                t,
                                now,
                                AuditRecord.EXECUTE,
                                AuditRecord.RESULT_ALREADY_DONE,
                                "undone before"));
                continue;
            }
            if (dryRun) {
                AuditRecord rec =
                        undoRecord(t, now, AuditRecord.DRY_RUN, AuditRecord.RESULT_DRY_RUN, null);
                log.append(rec);
                out.accept(rec);
                continue;
            }
            AuditRecord rec = responder().undo(t, actor);
            log.append(rec);
            out.accept(rec);
            if (rec.failed()) {
                failed++;
                failures.add(Responder.failureFinding(rec, config().failureSeverity()));
            }
        }
        return failed;
    }

    private AuditRecord alreadyDone(ActionRequest r, boolean execute, Instant now) {
        String mode =
                execute && !config().action(r.action()).dryRun()
                        ? AuditRecord.EXECUTE
                        : AuditRecord.DRY_RUN;
        return Responder.decisionRecord(
                r,
                new Guard.Decision(null, mode, "executed before (" + log.file() + ")"),
                config(),
                now,
                AuditRecord.RESULT_ALREADY_DONE);
    }

    private AuditRecord undoRecord(
            AuditRecord t, Instant now, String mode, String result, String error) {
        return new AuditRecord(
                AuditRecord.newId(t.id(), "undo", mode, now.toString()),
                now,
                t.findingId(),
                t.ruleId(),
                t.action(),
                t.target(),
                t.account(),
                t.region(),
                mode,
                actor,
                "undo",
                "undo of " + t.id() + ": " + t.reason(),
                t.change(),
                t.after(),
                t.before(),
                result,
                error,
                0,
                t.id());
    }

    /** remediation-failed findings raised by this run. */
    public List<Finding> failures() {
        return failures;
    }

    private Responder responder() {
        if (responder == null) {
            try {
                responder =
                        new Responder(
                                config(),
                                new ActionExecutor(config(), settings.aws(), settings.clock()),
                                settings.retry(),
                                settings.deadLetters().open(),
                                settings.clock(),
                                sleeper);
            } catch (Exception e) {
                throw new IllegalStateException(
                        "cannot open the dead-letter destination: " + e.getMessage(), e);
            }
        }
        return responder;
    }

    static String key(ActionRequest r) {
        return r.findingId() + "|" + r.action();
    }

    /**
     * Finding id + action of what was executed (changed, or found already done), undone ones
     * included.
     */
    static Set<String> executed(List<AuditRecord> history) {
        Set<String> out = new HashSet<>();
        for (AuditRecord h : history) {
            if (h.executeMode()
                    && h.undoes() == null
                    && (AuditRecord.RESULT_EXECUTED.equals(h.result())
                            || AuditRecord.RESULT_NO_CHANGE.equals(h.result()))) {
                out.add(h.findingId() + "|" + h.action());
            }
        }
        return out;
    }

    /** The rate limiter, seeded with the actions the log records for the last hour. */
    private RateLimiter limiter(List<AuditRecord> history) {
        RateLimiter limiter = new RateLimiter(config().rateLimit());
        long now = settings.clock().millis();
        for (AuditRecord h : history) {
            if (h.executeMode()
                    && h.undoes() == null
                    && h.attempts() > 0
                    && h.time() != null
                    && h.time().toEpochMilli() > now - RateLimiter.HOUR_MS) {
                Severity severity = severityOf(h); // unknown: counts in every budget
                limiter.record(
                        h.account(),
                        severity == null ? null : config().rateLimit().budget(h.ruleId(), severity),
                        h.time().toEpochMilli());
            }
        }
        return limiter;
    }

    /**
     * The finding's severity: the first word of the record's reason ({@link Planner#reason}); null
     * if none.
     */
    private static Severity severityOf(AuditRecord h) {
        String reason = h.reason() == null ? "" : h.reason();
        String word = reason.contains(" ") ? reason.substring(0, reason.indexOf(' ')) : reason;
        for (Severity s : Severity.values()) {
            if (s.name().equals(word)) {
                return s;
            }
        }
        return null;
    }

    /**
     * Findings JSON lines as replay writes them, and Security Hub custom-action events (EventBridge
     * "Security Hub Findings - Custom Action", one JSON object a line), as {@code run} reads them.
     */
    public static Input readInput(String path, InputStream stdin) {
        String text;
        try {
            text =
                    "-".equals(path)
                            ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                            : Files.readString(Path.of(path), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(path + ": file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        List<Finding> out = new ArrayList<>();
        List<EcrEvent> clicks = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            JsonNode node = Json.tree(line);
            if (node != null && CUSTOM_ACTION.equals(node.path("detail-type").asText(null))) {
                clicks.addAll(customActions(line, path + ": line " + (i + 1)));
                continue;
            }
            Finding f;
            try {
                f = Json.read(line, Finding.class);
            } catch (RuntimeException e) {
                f = null;
            }
            if (f == null || f.id() == null || f.ruleId() == null) {
                throw new ConfigException(
                        path
                                + ": line "
                                + (i + 1)
                                + " is not a finding (findings JSON lines as"
                                + " replay writes them) nor a Security Hub custom-action event");
            }
            out.add(f);
        }
        return new Input(out, clicks);
    }

    static final String CUSTOM_ACTION = "Security Hub Findings - Custom Action";

    /**
     * The events of one custom-action line, decoded as the job decodes them; a malformed one is an
     * error.
     */
    private static List<EcrEvent> customActions(String line, String where) {
        List<EcrEvent> events = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        new PayloadDecoder()
                .decode(
                        line.getBytes(StandardCharsets.UTF_8),
                        where,
                        new DecodeOutput() {
                            @Override
                            public void event(EcrEvent e) {
                                events.add(e);
                            }

                            @Override
                            public void deadLetter(DeadLetter d) {
                                problems.add(d.reason());
                            }
                        });
        if (!problems.isEmpty()) {
            throw new ConfigException(where + ": " + problems.get(0));
        }
        return events;
    }

    @Override
    public void close() throws Exception {
        if (responder != null) {
            responder.close();
        }
    }
}
