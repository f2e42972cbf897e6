package io.layerwatch.finding;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.AttackTechnique;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.Severity;
import io.layerwatch.util.JsonTypeInfoFactory;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One detection, as every sink receives it. The id is deterministic (rule id, key, first evidence
 * event), so a rerun, a restart or an update of a folded episode carries the same id.
 *
 * @param key what the rule keyed on (principal ARN, repository, access key)
 * @param eventIds CloudTrail eventIDs of the evidence, first ones first (capped)
 * @param evidence the raw evidence records (capped)
 * @param attack the rule's ATT&CK techniques; null (a finding written before they were recorded)
 *     means the catalog's for the rule id, none for ids outside the catalog
 */
@TypeInfo(Finding.TypeInfoFactory.class)
public record Finding(
        String id,
        String ruleId,
        Severity severity,
        String title,
        String description,
        String accountId,
        String region,
        FindingPrincipal principal,
        FindingRepository repository,
        String sourceIp,
        String userAgent,
        Instant firstEventTime,
        Instant lastEventTime,
        long eventCount,
        String key,
        List<String> eventIds,
        Map<String, Object> details,
        List<JsonNode> evidence,
        List<AttackTechnique> attack) {

    /**
     * Key in {@link #details}: the incident ({@link Incident}) a finding belongs to, once it joined
     * one.
     */
    public static final String INCIDENT_ID = "incidentId";

    public Finding {
        attack = attack == null ? RuleCatalog.attack(ruleId) : List.copyOf(attack);
    }

    /** An incident (rule attack-sequence) rather than a detection; see {@link Incident}. */
    @JsonIgnore
    public boolean incident() {
        return RuleCatalog.ATTACK_SEQUENCE.equals(ruleId);
    }

    /**
     * The incident this finding is a member of; null before it joined one (or for an incident
     * itself).
     */
    @JsonIgnore
    public String incidentId() {
        Object id = details == null ? null : details.get(INCIDENT_ID);
        return id == null ? null : id.toString();
    }

    /** Flink type information: JSON text. */
    public static final class TypeInfoFactory extends JsonTypeInfoFactory<Finding> {
        public TypeInfoFactory() {
            super(Finding.class);
        }
    }

    public record FindingPrincipal(
            String arn,
            String type,
            String name,
            String accountId,
            String accessKeyId,
            String sessionName) {}

    public record FindingRepository(String name, String registryId) {}

    public Finding withUpdate(
            long count,
            Instant last,
            List<String> ids,
            Map<String, Object> newDetails,
            List<JsonNode> newEvidence) {
        return new Finding(
                id,
                ruleId,
                severity,
                title,
                description,
                accountId,
                region,
                principal,
                repository,
                sourceIp,
                userAgent,
                firstEventTime,
                last,
                count,
                key,
                ids,
                newDetails,
                newEvidence,
                attack);
    }

    /** This finding marked as a member of incident {@code id}. */
    public Finding inIncident(String incidentId) {
        Map<String, Object> marked = new LinkedHashMap<>(details);
        marked.put(INCIDENT_ID, incidentId);
        return withUpdate(eventCount, lastEventTime, eventIds, marked, evidence);
    }

    public Finding withSeverity(Severity s) {
        return new Finding(
                id,
                ruleId,
                s,
                title,
                description,
                accountId,
                region,
                principal,
                repository,
                sourceIp,
                userAgent,
                firstEventTime,
                lastEventTime,
                eventCount,
                key,
                eventIds,
                details,
                evidence,
                attack);
    }

    /**
     * Of two versions of one finding, the later: by last event time, then event count, then last
     * event id. Versions that arrive from parallel subtasks in any order thus end in the same one
     * (an episode's versions grow in both; registry-not-assessed's, one per activity, are told
     * apart by time and id); of two otherwise equal, the one marked with its incident.
     */
    public static Finding later(Finding held, Finding next) {
        int c = next.lastEventTime.compareTo(held.lastEventTime);
        if (c == 0) {
            c = Long.compare(next.eventCount, held.eventCount);
        }
        if (c == 0) {
            c = lastId(next).compareTo(lastId(held));
        }
        if (c == 0) { // the same version, once more when it joined an incident
            c = Boolean.compare(next.incidentId() != null, held.incidentId() != null);
        }
        return c >= 0 ? next : held;
    }

    private static String lastId(Finding f) {
        return f.eventIds.isEmpty() ? "" : f.eventIds.get(f.eventIds.size() - 1);
    }
}
