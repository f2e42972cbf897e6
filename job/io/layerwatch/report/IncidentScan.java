package io.layerwatch.report;

import io.layerwatch.finding.Finding;
import io.layerwatch.finding.Incident;
import io.layerwatch.util.Json;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The incident findings (rule attack-sequence) of findings.jsonl, fed line by line during the
 * scan's first pass, in bounded memory: the {@code limit} highest (severity, then most recent last
 * event) by the later version of each id ({@link Finding#later}), and the number of distinct ids
 * (counted up to {@code distinct}). A later version never ranks below an earlier one (members only
 * join), so an id dropped from the kept ones cannot come back with an older version.
 */
final class IncidentScan {
    /** Incidents shown in the report. */
    static final int SHOWN = 20;

    static final int DISTINCT = 100_000;

    /** One kept incident: the finding line and its details, read. */
    record Entry(Finding finding, Incident incident) {}

    static final Comparator<Finding> ORDER =
            Comparator.comparing(Finding::severity, Comparator.reverseOrder())
                    .thenComparing(Finding::lastEventTime, Comparator.reverseOrder())
                    .thenComparing(Finding::id);

    private final int limit;
    private final int distinct;
    private final Map<String, Entry> kept = new HashMap<>();
    private final Set<String> ids = new HashSet<>();

    /** More distinct ids than counted: {@link #total} is a lower bound. */
    boolean overflow;

    /**
     * Incident lines that are no finding or whose details are no incident (still counted as
     * findings).
     */
    long unreadable;

    /**
     * @param distinct distinct ids counted at most ({@link #DISTINCT})
     */
    IncidentScan(int limit, int distinct) {
        this.limit = limit;
        this.distinct = distinct;
    }

    @SuppressWarnings("ReferenceEquality") // which of the two findings later returned
    void offer(String line) {
        Entry e = read(line);
        if (e == null) {
            unreadable++;
            return;
        }
        String id = e.finding().id();
        if (ids.size() < distinct) {
            ids.add(id);
        } else if (!ids.contains(id)) {
            overflow = true;
        }
        Entry held = kept.get(id);
        if (held != null) {
            kept.put(id, Finding.later(held.finding(), e.finding()) == held.finding() ? held : e);
        } else if (kept.size() < limit) {
            kept.put(id, e);
        } else if (limit > 0) {
            Entry worst =
                    Collections.max(kept.values(), Comparator.comparing(Entry::finding, ORDER));
            if (ORDER.compare(e.finding(), worst.finding()) < 0) {
                kept.remove(worst.finding().id());
                kept.put(id, e);
            }
        }
    }

    /** Distinct incident ids seen (at least this many when {@link #overflow}). */
    long total() {
        return ids.size();
    }

    /** The kept incidents, highest first. */
    List<Entry> shown() {
        return kept.values().stream().sorted(Comparator.comparing(Entry::finding, ORDER)).toList();
    }

    /**
     * The line as an incident; null when it is not one the report can show (no id, times or
     * members).
     */
    static Entry read(String line) {
        try {
            Finding f = Json.read(line, Finding.class);
            if (f.id() == null
                    || f.severity() == null
                    || f.firstEventTime() == null
                    || f.lastEventTime() == null
                    || f.details() == null) {
                return null;
            }
            if (f.eventIds() == null) {
                f =
                        f.withUpdate(
                                f.eventCount(),
                                f.lastEventTime(),
                                List.of(),
                                f.details(),
                                f.evidence());
            }
            Incident incident = Incident.of(f).orElse(null);
            return incident == null || incident.members().isEmpty() ? null : new Entry(f, incident);
        } catch (UncheckedIOException
                | IllegalArgumentException
                | ClassCastException
                | NullPointerException
                | DateTimeException e) {
            // Hand-edited or truncated details: the line still counts as a finding, the section
            // says so.
            return null;
        }
    }
}
