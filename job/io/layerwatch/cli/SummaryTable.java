package io.layerwatch.cli;

import io.layerwatch.replay.Replay;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/** The human summary printed after a replay or the demo. */
final class SummaryTable {
    /** Incidents listed on the console; summary.json has more. */
    static final int SHOWN_INCIDENTS = 10;

    private SummaryTable() {}

    static void print(PrintWriter out, Replay.Summary s, Path dir, int files) {
        out.printf(
                "%nLayerWatch replay: %d files, %d events read, %d ECR events analysed%n",
                files, s.eventsRead(), s.eventsMatched());
        out.printf("%-32s %s%n", "RULE", "FINDINGS");
        long total = 0;
        for (Map.Entry<String, Long> e : s.findings().entrySet()) {
            if (e.getValue() > 0) {
                out.printf("%-32s %d%n", e.getKey(), e.getValue());
                total += e.getValue();
            }
        }
        out.printf("%-32s %d%n", "total", total);
        StringBuilder sev = new StringBuilder();
        s.bySeverity()
                .forEach(
                        (k, v) ->
                                sev.append(sev.length() == 0 ? "" : "  ")
                                        .append(k)
                                        .append('=')
                                        .append(v));
        out.println("by severity: " + sev);
        if (!s.incidents().isEmpty()) {
            out.printf(
                    "incidents (%s, most severe first):%n",
                    s.incidents().size() < Replay.MAX_INCIDENTS
                            ? String.valueOf(s.incidents().size())
                            : "the first " + Replay.MAX_INCIDENTS);
            for (Replay.IncidentLine i :
                    s.incidents().subList(0, Math.min(SHOWN_INCIDENTS, s.incidents().size()))) {
                out.printf(
                        "  %-8s %s, %d rules, %s to %s%n",
                        i.severity(),
                        i.actor(),
                        i.rules().size(),
                        i.firstEventTime(),
                        i.lastEventTime());
            }
            if (s.incidents().size() > SHOWN_INCIDENTS) {
                out.printf(
                        "  ... %d more in %s%n",
                        s.incidents().size() - SHOWN_INCIDENTS, dir.resolve(Replay.SUMMARY));
            }
        }
        out.printf(
                "dead-lettered: %d   sink dead-lettered: %d   late: %d   failed scans: %d%n",
                s.deadLettered(), s.sinkDeadLettered(), s.late(), s.scansFailed());
        if (s.duplicatesDropped() > 0) {
            out.printf(
                    "duplicate events dropped (same account and event id): %d%n",
                    s.duplicatesDropped());
        }
        if (s.cloudWatchLogsRejected() > 0) {
            out.printf(
                    "CloudWatch Logs messages rejected by sender (of dead-lettered): %d%n",
                    s.cloudWatchLogsRejected());
        }
        out.println(
                "written: "
                        + dir.resolve(Replay.FINDINGS)
                        + ", "
                        + dir.resolve(Replay.DEAD_LETTERS)
                        + ", "
                        + dir.resolve(Replay.SUMMARY));
        out.flush();
    }
}
