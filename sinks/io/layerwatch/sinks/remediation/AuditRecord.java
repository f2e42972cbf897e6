package io.layerwatch.sinks.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.util.JsonTypeInfoFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the responder decided and did about one action, one JSON object in the audit log and on the
 * audit stream (for the SIEM): who, what, why, the state before and after, and the result.
 *
 * @param id unique per decision; {@code remediate undo --id} takes it
 * @param target the repository ARN, registry host or role/user ARN
 * @param mode "dry-run" or "execute"
 * @param actor who asked (layerwatch, a Security Hub custom action ARN, cli:USER)
 * @param trigger "rule", "custom-action:ID", "cli" or "undo"
 * @param reason why: the finding's severity, rule and title
 * @param change what the action does (or would do): the statement merged, the statements removed...
 * @param before the state read before acting (policy text exactly as the API returned it), or null
 * @param after the state written, or null
 * @param result one of the RESULT_ constants
 * @param error why it failed or was refused, or null
 * @param attempts API attempts made (0 when nothing was sent)
 * @param undoes for undo records: the id of the record undone
 */
@TypeInfo(AuditRecord.TypeInfoFactory.class)
public record AuditRecord(
        String id,
        Instant time,
        String findingId,
        String ruleId,
        String action,
        String target,
        String account,
        String region,
        String mode,
        String actor,
        String trigger,
        String reason,
        JsonNode change,
        JsonNode before,
        JsonNode after,
        String result,
        String error,
        int attempts,
        String undoes) {

    public static final String DRY_RUN = "dry-run";
    public static final String EXECUTE = "execute";

    /** Would have been executed; nothing was sent (not even reads). */
    public static final String RESULT_DRY_RUN = "dry-run";

    /** Changed the target. */
    public static final String RESULT_EXECUTED = "executed";

    /**
     * The target was already in the desired state (e.g. the Sid was there, the registry enrolled).
     */
    public static final String RESULT_NO_CHANGE = "no-change";

    /** Over the hourly limit: no action. */
    public static final String RESULT_RATE_LIMITED = "rate-limited";

    /** The target is protected: no action. */
    public static final String RESULT_PROTECTED = "protected";

    /** The finding lacks what the action needs (no repository, not a role...): no action. */
    public static final String RESULT_NOT_APPLICABLE = "not-applicable";

    /**
     * Failed after retries, or refused by the API: dead-lettered, and a remediation-failed finding
     * raised.
     */
    public static final String RESULT_FAILED = "failed";

    /** An undo restored the state before the undone record. */
    public static final String RESULT_UNDONE = "undone";

    /** remediate plan only: would run (in {@code mode}) if applied now. */
    public static final String RESULT_PLANNED = "planned";

    /**
     * remediate plan/apply only, never logged: executed before (the audit log says so), skipped.
     */
    public static final String RESULT_ALREADY_DONE = "already-done";

    /** Flink type information: JSON text. */
    public static final class TypeInfoFactory extends JsonTypeInfoFactory<AuditRecord> {
        public TypeInfoFactory() {
            super(AuditRecord.class);
        }
    }

    public boolean executeMode() {
        return EXECUTE.equals(mode);
    }

    public boolean failed() {
        return RESULT_FAILED.equals(result);
    }

    /** This record changed something that undo can revert. */
    public boolean undoable() {
        return executeMode() && RESULT_EXECUTED.equals(result) && undoes == null;
    }

    public AuditRecord withResult(String r, String e) {
        return new AuditRecord(
                id, time, findingId, ruleId, action, target, account, region, mode, actor, trigger,
                reason, change, before, after, r, e, attempts, undoes);
    }

    /** 32 hex characters of sha-256 over the parts. */
    public static String newId(String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] hash = md.digest(String.join("\n", parts).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
