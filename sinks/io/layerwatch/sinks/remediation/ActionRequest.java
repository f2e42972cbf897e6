package io.layerwatch.sinks.remediation;

import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.util.JsonTypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One response action planned for one finding, before the guardrails decide whether and how it
 * runs.
 *
 * @param idempotencyKey what "the same action" means: finding id and action (plus the custom action
 *     event for analyst clicks); the responder never executes one key twice
 * @param action one of {@link io.layerwatch.config.RemediationConfig#ACTIONS}
 * @param trigger why it was planned: "rule" (the rule mapping), "custom-action:ID" (Security Hub),
 *     "cli"
 * @param actor who asked: "layerwatch", the custom action's ARN, "cli:USER"
 * @param target what it changes; null when not applicable
 * @param problem why the action cannot apply to this finding (then nothing is done), else null
 * @param finding the finding (evidence dropped): its details carry e.g. the exposing statements
 */
@TypeInfo(ActionRequest.TypeInfoFactory.class)
public record ActionRequest(
        String idempotencyKey,
        String action,
        String trigger,
        String actor,
        String findingId,
        String ruleId,
        Severity severity,
        String reason,
        Target target,
        String problem,
        Finding finding) {

    /** Flink type information: JSON text. */
    public static final class TypeInfoFactory extends JsonTypeInfoFactory<ActionRequest> {
        public TypeInfoFactory() {
            super(ActionRequest.class);
        }
    }

    public boolean applicable() {
        return problem == null;
    }

    public String account() {
        return target == null ? (finding == null ? null : finding.accountId()) : target.account();
    }

    public String region() {
        return target == null ? (finding == null ? null : finding.region()) : target.region();
    }
}
