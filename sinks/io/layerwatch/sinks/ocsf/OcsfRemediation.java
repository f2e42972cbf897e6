package io.layerwatch.sinks.ocsf;

import static io.layerwatch.sinks.ocsf.OcsfMapper.put;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.sinks.remediation.ActionName;
import io.layerwatch.sinks.remediation.AuditRecord;
import io.layerwatch.util.Json;

/**
 * A remediation {@link AuditRecord} as an OCSF 1.3.0 Remediation Activity (class_uid 7001, category
 * Remediation): activity from the D3FEND tactic of the action (Isolate, Evict, Harden; Restore for
 * undo), status Success / Failure, or Other with the guardrail's verdict (dry-run, protected,
 * rate-limited, not-applicable) as status. The complete audit record is kept under unmapped; the
 * target is there (unmapped.target) and in message, as 7001 has no resources attribute in 1.3.0.
 * Profiles: cloud (cloud) and host (actor).
 */
public final class OcsfRemediation {

    public static final int CLASS_UID = 7001;
    public static final int CATEGORY_UID = 7;

    static final int ISOLATE = 1;
    static final int EVICT = 2;
    static final int RESTORE = 3;
    static final int HARDEN = 4;
    static final int OTHER = 99;
    static final int STATUS_SUCCESS = 1;
    static final int STATUS_FAILURE = 2;

    private OcsfRemediation() {}

    public static String line(AuditRecord r) {
        return Json.write(toNode(r));
    }

    public static ObjectNode toNode(AuditRecord r) {
        int activity = activityId(r);
        ObjectNode e =
                OcsfMapper.event(
                        CLASS_UID,
                        "Remediation Activity",
                        CATEGORY_UID,
                        "Remediation",
                        activity,
                        activityName(activity));
        e.put("time", r.time() == null ? 0L : r.time().toEpochMilli());
        e.put("severity_id", AuditRecord.RESULT_FAILED.equals(r.result()) ? 4 : 1);
        e.put("command_uid", r.id());
        int status = statusId(r.result());
        e.put("status_id", status);
        e.put(
                "status",
                status == STATUS_SUCCESS
                        ? "Success"
                        : status == STATUS_FAILURE ? "Failure" : r.result());
        put(e, "status_detail", r.error());
        put(
                e,
                "message",
                r.action()
                        + " "
                        + r.result()
                        + (r.target() == null ? "" : " on " + r.target())
                        + (r.reason() == null ? "" : " (" + r.reason() + ")"));
        ObjectNode metadata = OcsfMapper.metadata(OcsfMapper.OCSF_VERSION);
        e.set("metadata", metadata);
        put(metadata, "uid", r.id());
        put(metadata, "correlation_uid", r.findingId());
        metadata.putArray("profiles").add("cloud").add("host");
        ObjectNode cloud = e.putObject("cloud");
        cloud.put("provider", "AWS");
        put(cloud, "region", r.region());
        if (r.account() != null) {
            cloud.set("account", OcsfMapper.account(r.account()));
        }
        ObjectNode user = e.putObject("actor").putObject("user");
        put(user, "name", r.actor());
        e.set("unmapped", Json.MAPPER.valueToTree(r));
        return e;
    }

    /**
     * The D3FEND tactic of an action: undo restores; quarantine and denies isolate; revoking
     * sessions evicts.
     */
    static int activityId(AuditRecord r) {
        if (r.undoes() != null || AuditRecord.RESULT_UNDONE.equals(r.result())) {
            return RESTORE;
        }
        return ActionName.find(r.action())
                .map(
                        action ->
                                switch (action) {
                                    case QUARANTINE_REPOSITORY, DENY_LAYER_DOWNLOAD -> ISOLATE;
                                    case REVOKE_SESSIONS -> EVICT;
                                    case REMOVE_EXPOSING_STATEMENTS, REGISTER_REGISTRY -> HARDEN;
                                })
                .orElse(OTHER);
    }

    private static String activityName(int activity) {
        return switch (activity) {
            case ISOLATE -> "Isolate";
            case EVICT -> "Evict";
            case RESTORE -> "Restore";
            case HARDEN -> "Harden";
            default -> "Other";
        };
    }

    private static int statusId(String result) {
        if (AuditRecord.RESULT_EXECUTED.equals(result)
                || AuditRecord.RESULT_NO_CHANGE.equals(result)
                || AuditRecord.RESULT_UNDONE.equals(result)) {
            return STATUS_SUCCESS;
        }
        return AuditRecord.RESULT_FAILED.equals(result) ? STATUS_FAILURE : OTHER;
    }
}
