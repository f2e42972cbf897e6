package io.layerwatch.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.Severity;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Two streaming passes over findings.jsonl in bounded memory, whatever its size. Pass 1: counts by
 * rule and severity, the time span, candidates for the top lists, and the first {@code rows}
 * findings by severity (highest first), then first event time, then id (a bounded heap). Pass 2:
 * the timeline (its bucket depends on the span) and exact counts of the top-list candidates. Pass 1
 * also keeps the highest incidents ({@link IncidentScan}).
 */
final class FindingsScan {
    static final int TOP = 10;
    static final int CANDIDATES = 10_000;

    /** A finding of the table: the counted fields and the whole line, parsed. */
    record Row(FindingLine line, JsonNode finding) {}

    static final Comparator<FindingLine> ORDER =
            Comparator.comparingInt((FindingLine f) -> -f.severityRank())
                    .thenComparing(
                            FindingLine::first, Comparator.nullsLast(Comparator.naturalOrder()))
                    .thenComparing(
                            FindingLine::id, Comparator.nullsLast(Comparator.naturalOrder()));

    long total;
    long unreadable;
    final Map<String, Long> byRule = new LinkedHashMap<>();
    final Map<String, Long> bySeverity = new LinkedHashMap<>();
    Instant first;
    Instant last;
    private Instant lastStart;
    final TopCounter principals = new TopCounter(CANDIDATES);
    final TopCounter repositories = new TopCounter(CANDIDATES);
    final TopCounter sourceIps = new TopCounter(CANDIDATES);
    final List<Row> rows = new ArrayList<>();

    /** Null when no finding has a first event time. */
    Timeline timeline;

    final IncidentScan incidents;

    @SuppressWarnings("EnumOrdinal") // highest severity first
    private FindingsScan(int incidentsShown) {
        incidents = new IncidentScan(incidentsShown, IncidentScan.DISTINCT);
        RuleCatalog.ids().forEach(id -> byRule.put(id, 0L));
        for (int i = Severity.values().length - 1; i >= 0; i--) {
            bySeverity.put(Severity.values()[i].name(), 0L);
        }
    }

    /**
     * @param incidentsShown incidents kept for the incidents section ({@link IncidentScan})
     */
    static FindingsScan of(Path file, int tableRows, int incidentsShown) throws IOException {
        FindingsScan s = new FindingsScan(incidentsShown);
        // Worst kept row at the head, so a better one replaces it.
        PriorityQueue<Map.Entry<FindingLine, String>> kept =
                new PriorityQueue<>(
                        Map.Entry.<FindingLine, String>comparingByKey(ORDER).reversed());
        Lines.forEach(
                file,
                text -> {
                    FindingLine f = FindingLine.parse(text);
                    if (f == null) {
                        s.unreadable++;
                        return;
                    }
                    s.first(f);
                    if (RuleCatalog.ATTACK_SEQUENCE.equals(f.ruleId())) {
                        s.incidents.offer(text);
                    }
                    if (tableRows > 0
                            && (kept.size() < tableRows
                                    || ORDER.compare(f, kept.peek().getKey()) < 0)) {
                        kept.add(Map.entry(f, text));
                        if (kept.size() > tableRows) {
                            kept.poll();
                        }
                    }
                });
        kept.stream()
                .sorted(Map.Entry.comparingByKey(ORDER))
                .forEach(e -> s.rows.add(new Row(e.getKey(), Json.tree(e.getValue()))));
        if (s.first != null) {
            s.timeline = new Timeline(s.first, s.lastStart, s.byRule.keySet());
        }
        if (s.total > 0) {
            Lines.forEach(file, text -> s.second(FindingLine.parse(text)));
        }
        return s;
    }

    private void first(FindingLine f) {
        total++;
        byRule.merge(f.ruleId(), 1L, Long::sum);
        bySeverity.merge(f.severity() == null ? "(none)" : f.severity(), 1L, Long::sum);
        if (f.first() != null) {
            first = first == null || f.first().isBefore(first) ? f.first() : first;
            lastStart = lastStart == null || f.first().isAfter(lastStart) ? f.first() : lastStart;
        }
        Instant end = f.last() != null ? f.last() : f.first();
        if (end != null) {
            last = last == null || end.isAfter(last) ? end : last;
        }
        principals.offer(f.principal());
        repositories.offer(f.repositoryKey());
        sourceIps.offer(f.sourceIp());
    }

    private void second(FindingLine f) {
        if (f == null) {
            return;
        }
        if (timeline != null) {
            timeline.add(f.ruleId(), f.first());
        }
        int rank = f.severityRank();
        principals.tally(f.principal(), rank, f.ruleId());
        repositories.tally(f.repositoryKey(), rank, f.ruleId());
        sourceIps.tally(f.sourceIp(), rank, f.ruleId());
    }
}
