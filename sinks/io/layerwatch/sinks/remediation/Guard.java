package io.layerwatch.sinks.remediation;

import io.layerwatch.config.RemediationConfig;
import java.util.function.Function;

/**
 * The guardrails every action passes, in this order, whoever asked for it (rule mapping, Security
 * Hub custom action, CLI): applicable to the finding; target not protected; within the hourly rate
 * limit; and executed only when the action's {@code dryRun} is false (and, for the CLI, {@code
 * --execute} was given) — otherwise a dry run. Idempotency (never twice per finding and action) is
 * the caller's: keyed state in the job, the audit log for the CLI.
 */
public final class Guard {

    public enum Verdict {
        NOT_APPLICABLE,
        PROTECTED,
        RATE_LIMITED,
        DRY_RUN,
        EXECUTE
    }

    /**
     * What the guard decided for one action.
     *
     * @param mode "dry-run" or "execute": how it runs (or would have run)
     */
    public record Decision(Verdict verdict, String mode, String why) {}

    private Guard() {}

    /**
     * Decides whether an action runs, is rehearsed or is refused.
     *
     * @param executeAllowed false forces a dry run (the CLI without --execute)
     * @param limiters the rate limiter for a mode ("dry-run" counts apart, so rehearsals never use
     *     up the budget of real actions)
     */
    public static Decision decide(
            ActionRequest r,
            RemediationConfig config,
            boolean executeAllowed,
            Function<String, RateLimiter> limiters,
            long now) {
        String mode =
                executeAllowed && !config.action(r.action()).dryRun()
                        ? AuditRecord.EXECUTE
                        : AuditRecord.DRY_RUN;
        if (!r.applicable()) {
            return new Decision(Verdict.NOT_APPLICABLE, mode, r.problem());
        }
        String prot = protection(r, config);
        if (prot != null) {
            return new Decision(Verdict.PROTECTED, mode, prot);
        }
        String limited =
                limiters.apply(mode).tryAcquire(r.account(), r.ruleId(), r.severity(), now);
        if (limited != null) {
            return new Decision(Verdict.RATE_LIMITED, mode, limited);
        }
        return new Decision(
                AuditRecord.EXECUTE.equals(mode) ? Verdict.EXECUTE : Verdict.DRY_RUN,
                mode,
                AuditRecord.EXECUTE.equals(mode)
                        ? null
                        : executeAllowed
                                ? "remediation.actions." + r.action() + ".dryRun is true"
                                : "not asked to execute");
    }

    /** Why the target is protected, or null. */
    static String protection(ActionRequest r, RemediationConfig config) {
        Target t = r.target();
        if (t == null) {
            return null;
        }
        if (t.kind() == TargetKind.REPOSITORY && config.protectedRepository(t.repository())) {
            return "repository "
                    + t.repository()
                    + " is protected (remediation.protected.repositories)";
        }
        if (t.kind().principal() && config.protectedPrincipal(t.principalArn())) {
            return "principal "
                    + t.principalArn()
                    + " is protected (remediation.protected.principals,"
                    + " breakGlassPrincipals, or always protected: root, service-linked, SSO, account-administration"
                    + " and LayerWatch's own roles)";
        }
        return null;
    }
}
