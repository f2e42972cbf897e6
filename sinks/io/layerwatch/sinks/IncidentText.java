package io.layerwatch.sinks;

import io.layerwatch.finding.Finding;
import io.layerwatch.finding.Incident;
import io.layerwatch.util.SafeText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How the notifying sinks (SNS, webhooks) word an incident (rule attack-sequence): a headline, the
 * time span and one line per member in the order things happened. Values from CloudTrail go through
 * {@link SafeText#escape}.
 */
public final class IncidentText {

    /** Members listed one per line; the rest are counted. */
    public static final int MAX_STEPS = 50;

    private IncidentText() {}

    /**
     * The incident id a finding belongs to: its own id for an incident, the member's incidentId,
     * else null.
     */
    public static String incidentId(Finding f) {
        return f.incident() ? f.id() : f.incidentId();
    }

    /** "Incident: " + the incident's title. */
    public static String headline(Finding f) {
        return "Incident: " + SafeText.escape(f.title());
    }

    /** "2026-03-02T10:00:00Z - 2026-03-02T10:50:00Z (50 min)". */
    public static String span(Finding f) {
        return f.firstEventTime()
                + " - "
                + f.lastEventTime()
                + " ("
                + duration(f.firstEventTime(), f.lastEventTime())
                + ")";
    }

    /**
     * One line per member: "1. 2026-03-02T10:00:00Z HIGH untrusted-network: title (31 events)",
     * then "+N more".
     */
    public static List<String> steps(Incident incident) {
        List<String> out = new ArrayList<>();
        List<Incident.Member> members = incident.members();
        for (int i = 0; i < members.size() && i < MAX_STEPS; i++) {
            Incident.Member m = members.get(i);
            out.add(
                    (i + 1)
                            + ". "
                            + m.firstEventTime()
                            + " "
                            + m.severity()
                            + " "
                            + m.ruleId()
                            + ": "
                            + SafeText.escape(m.title())
                            + " ("
                            + m.eventCount()
                            + (m.eventCount() == 1 ? " event)" : " events)"));
        }
        if (members.size() > MAX_STEPS) {
            out.add("+" + (members.size() - MAX_STEPS) + " more findings");
        }
        return out;
    }

    /** "3 findings of 3 rules". */
    public static String size(Incident incident) {
        int n = incident.members().size();
        int rules = incident.rules().size();
        return n
                + (n == 1 ? " finding" : " findings")
                + " of "
                + rules
                + (rules == 1 ? " rule" : " rules");
    }

    static String duration(Instant first, Instant last) {
        if (first == null || last == null) {
            return "unknown";
        }
        long minutes = Duration.between(first, last).toMinutes();
        return minutes < 120 ? minutes + " min" : minutes / 60 + " h " + minutes % 60 + " min";
    }
}
