package io.layerwatch.sinks.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.delivery.DeadLetterDestination;
import io.layerwatch.sinks.delivery.EntryResult;
import io.layerwatch.sinks.delivery.ErrorClassifier;
import io.layerwatch.sinks.delivery.RetryPolicy;
import io.layerwatch.sinks.delivery.SinkDeadLetter;
import io.layerwatch.util.Json;
import io.layerwatch.util.SafeText;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Runs approved actions (and undos) the way the delivery layer delivers findings: throttling, 5xx,
 * timeouts and connection errors are retried with exponential backoff and jitter ({@link
 * RetryPolicy}, classified by {@link ErrorClassifier}); refused requests and requests out of
 * attempts are dead-lettered ({@link DeadLetterDestination}, sink "remediation:ACTION", the request
 * as the payload) and come back as a "failed" audit record, from which {@link #failureFinding}
 * makes the remediation-failed finding. Shared by the streaming job and the CLI.
 */
public final class Responder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Responder.class);

    /** Waits between attempts (tests replace it). */
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private final RemediationConfig config;
    private final ActionExecutor executor;
    private final RetryPolicy retry;
    private final DeadLetterDestination.Writer deadLetters;
    private final Clock clock;
    private final Sleeper sleeper;

    public Responder(
            RemediationConfig config,
            ActionExecutor executor,
            RetryPolicy retry,
            DeadLetterDestination.Writer deadLetters,
            Clock clock,
            Sleeper sleeper) {
        this.config = config;
        this.executor = executor;
        this.retry = retry;
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /**
     * The record of a decision that sends nothing: dry run, protected, rate-limited, not
     * applicable, planned.
     */
    public static AuditRecord decisionRecord(
            ActionRequest r,
            Guard.Decision d,
            RemediationConfig config,
            Instant now,
            String result) {
        return new AuditRecord(
                AuditRecord.newId(r.idempotencyKey(), d.mode(), now.toString()),
                now,
                r.findingId(),
                r.ruleId(),
                r.action(),
                r.target() == null ? null : r.target().describe(),
                r.account(),
                r.region(),
                d.mode(),
                r.actor(),
                r.trigger(),
                r.reason(),
                ActionExecutor.plannedChange(r, config, now),
                null,
                null,
                result,
                d.why(),
                0,
                null);
    }

    /** The result a non-executing verdict records. */
    public static String resultOf(Guard.Verdict v) {
        return switch (v) {
            case NOT_APPLICABLE -> AuditRecord.RESULT_NOT_APPLICABLE;
            case PROTECTED -> AuditRecord.RESULT_PROTECTED;
            case RATE_LIMITED -> AuditRecord.RESULT_RATE_LIMITED;
            case DRY_RUN -> AuditRecord.RESULT_DRY_RUN;
            default -> AuditRecord.RESULT_EXECUTED;
        };
    }

    /** Executes an approved request with retries; never throws for the action's own failures. */
    public AuditRecord execute(ActionRequest r) throws InterruptedException {
        Instant start = clock.instant();
        String id = AuditRecord.newId(r.idempotencyKey(), AuditRecord.EXECUTE, start.toString());
        JsonNode change = ActionExecutor.plannedChange(r, config, start);
        Attempts state = new Attempts();
        Run run =
                run(
                        () -> executor.execute(r, state),
                        "remediation:" + r.action(),
                        r.findingId(),
                        Json.MAPPER.valueToTree(r));
        Outcome o = run.outcome;
        return new AuditRecord(
                id,
                clock.instant(),
                r.findingId(),
                r.ruleId(),
                r.action(),
                r.target().describe(),
                r.account(),
                r.region(),
                AuditRecord.EXECUTE,
                r.actor(),
                r.trigger(),
                r.reason(),
                change,
                o == null ? state.firstBefore() : o.before(),
                o == null ? null : o.after(),
                o == null ? AuditRecord.RESULT_FAILED : o.result(),
                run.error,
                run.attempts,
                null);
    }

    /**
     * Reverts an executed record (see {@link ActionExecutor#undo}); the result is "undone",
     * "no-change" or "failed".
     */
    public AuditRecord undo(AuditRecord original, String actor) throws InterruptedException {
        Instant start = clock.instant();
        Attempts state = new Attempts();
        Run run =
                run(
                        () -> executor.undo(original, state),
                        "remediation:undo:" + original.action(),
                        original.findingId(),
                        Json.MAPPER.valueToTree(original));
        Outcome o = run.outcome;
        return new AuditRecord(
                AuditRecord.newId(original.id(), "undo", start.toString()),
                clock.instant(),
                original.findingId(),
                original.ruleId(),
                original.action(),
                original.target(),
                original.account(),
                original.region(),
                AuditRecord.EXECUTE,
                actor,
                "undo",
                "undo of " + original.id() + ": " + original.reason(),
                original.change(),
                o == null ? state.firstBefore() : o.before(),
                o == null ? null : o.after(),
                o == null ? AuditRecord.RESULT_FAILED : o.result(),
                run.error,
                run.attempts,
                original.id());
    }

    private interface Attempt {
        Outcome run() throws Exception;
    }

    private static final class Run {
        Outcome outcome;
        String error;
        int attempts;
    }

    private Run run(Attempt attempt, String sink, String findingId, JsonNode payload)
            throws InterruptedException {
        Run run = new Run();
        while (true) {
            run.attempts++;
            try {
                run.outcome = attempt.run();
                return run;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                EntryResult r = ErrorClassifier.classify(e);
                boolean last =
                        r.status() == EntryResult.Status.REJECTED
                                || run.attempts >= retry.maxAttempts();
                String error = describe(e, r.error());
                if (!last) {
                    LOG.info(
                            "{}: attempt {} for finding {} failed, retrying: {}",
                            sink,
                            run.attempts,
                            SafeText.escape(findingId),
                            SafeText.escape(error));
                    sleeper.sleep(retry.backoff(run.attempts).toMillis());
                    continue;
                }
                run.error =
                        r.status() == EntryResult.Status.REJECTED
                                ? error
                                : "gave up after " + run.attempts + " attempts: " + error;
                deadLetter(sink, findingId, run.error, run.attempts, payload);
                return run;
            }
        }
    }

    /**
     * The classifier's description, with the AWS error code in front when the SDK has no class for
     * it.
     */
    static String describe(Exception e, String classified) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof AwsServiceException) {
            AwsServiceException ase = (AwsServiceException) t;
            String code = ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().errorCode();
            String name = t.getClass().getSimpleName();
            if (code != null && !name.startsWith(code) && classified.startsWith(name)) {
                return code + classified.substring(name.length());
            }
        }
        return classified;
    }

    private void deadLetter(
            String sink, String findingId, String error, int attempts, JsonNode payload) {
        LOG.warn(
                "{}: finding {} dead-lettered after {} attempt(s): {}",
                sink,
                SafeText.escape(findingId),
                attempts,
                SafeText.escape(error));
        try {
            deadLetters.write(
                    new SinkDeadLetter(
                            sink, findingId, error, attempts, clock.instant().toString(), payload));
        } catch (Exception e) {
            // The dead-letter destination itself failed: fail loudly (the job restarts from its
            // checkpoint).
            throw new IllegalStateException(
                    "cannot dead-letter the failed action of finding " + findingId, e);
        }
    }

    /**
     * The finding a failed action raises: rule id {@value RemediationConfig#FAILED_RULE_ID} (not a
     * detection rule, not in the rule catalog), key the audit record, the failed record in details.
     */
    public static Finding failureFinding(AuditRecord failed, Severity severity) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("auditId", failed.id());
        details.put("action", failed.action());
        details.put("target", failed.target());
        details.put("originalFindingId", failed.findingId());
        details.put("originalRuleId", failed.ruleId());
        details.put("error", failed.error());
        details.put("attempts", failed.attempts());
        if (failed.undoes() != null) {
            details.put("undoes", failed.undoes());
        }
        Finding.FindingRepository repository = null;
        Finding.FindingPrincipal principal = null;
        String target = failed.target() == null ? "" : failed.target();
        if (target.contains(":repository/")) {
            repository =
                    new Finding.FindingRepository(
                            target.substring(target.indexOf(":repository/") + 12),
                            failed.account());
        } else if (target.contains(":role/") || target.contains(":user/")) {
            principal =
                    new Finding.FindingPrincipal(
                            target,
                            target.contains(":role/") ? "AssumedRole" : "IAMUser",
                            target.substring(target.lastIndexOf('/') + 1),
                            failed.account(),
                            null,
                            null);
        }
        String what =
                (failed.undoes() != null ? "undo of " : "") + failed.action() + " on " + target;
        return new Finding(
                AuditRecord.newId(RemediationConfig.FAILED_RULE_ID, failed.id()),
                RemediationConfig.FAILED_RULE_ID,
                severity,
                "Remediation failed: " + what,
                "LayerWatch could not complete "
                        + what
                        + " for finding "
                        + failed.findingId()
                        + " ("
                        + failed.ruleId()
                        + ") after "
                        + failed.attempts()
                        + " attempt(s): "
                        + failed.error()
                        + ". The request was dead-lettered; the target may still need a response by hand.",
                failed.account(),
                failed.region(),
                principal,
                repository,
                null,
                null,
                failed.time(),
                failed.time(),
                1,
                failed.id(),
                List.of(),
                details,
                List.of(),
                List.of());
    }

    @Override
    public void close() throws Exception {
        try {
            executor.close();
        } finally {
            deadLetters.close();
        }
    }
}
