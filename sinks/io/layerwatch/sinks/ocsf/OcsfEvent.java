package io.layerwatch.sinks.ocsf;

import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.remediation.AuditRecord;

/**
 * One OCSF event on its way to the SIEM: a Detection Finding or a Remediation Activity, as its JSON
 * line, with the key that orders it (Kinesis partition key, dead-letter id): the finding id, so the
 * versions of a finding and the actions taken on it stay in order.
 */
public record OcsfEvent(String key, String line) {

    /** The first version of a finding (Create). */
    public static OcsfEvent of(Finding f) {
        return of(f, false);
    }

    /**
     * The OCSF event of a finding.
     *
     * @param update a later version of a finding id already sent (Update)
     */
    public static OcsfEvent of(Finding f, boolean update) {
        return new OcsfEvent(f.id(), OcsfMapper.line(f, update));
    }

    public static OcsfEvent of(AuditRecord r) {
        return new OcsfEvent(
                r.findingId() != null ? r.findingId() : r.id(), OcsfRemediation.line(r));
    }
}
