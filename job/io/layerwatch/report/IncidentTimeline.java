package io.layerwatch.report;

import static io.layerwatch.report.Html.esc;

import io.layerwatch.config.AttackTechnique;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Incident;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One incident's members on a time axis (UTC) from its first to its last event, as inline SVG: a
 * lane per member (per rule when there are more than {@link #MEMBER_LANES}), a bar per member from
 * its first to its last event in its rule's colour, the severity as a lettered badge before the
 * lane (and an outline on HIGH and CRITICAL bars), the rule's ATT&CK tactics beside the bar (above
 * the bars of a rule's lane).
 */
final class IncidentTimeline {
    static final int MEMBER_LANES = 40;

    /** Members drawn at most (the members table says how many there are). */
    static final int DRAWN = 200;

    private static final Duration[] STEPS = {
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        Duration.ofSeconds(15),
        Duration.ofSeconds(30),
        Duration.ofMinutes(1),
        Duration.ofMinutes(5),
        Duration.ofMinutes(15),
        Duration.ofMinutes(30),
        Duration.ofHours(1),
        Duration.ofHours(3),
        Duration.ofHours(6),
        Duration.ofHours(12),
        Duration.ofDays(1),
        Duration.ofDays(7),
        Duration.ofDays(30),
        Duration.ofDays(365)
    };
    private static final int MAX_TICKS = 8;
    private static final int WIDTH = 1120;
    private static final int LABELS = 250;
    private static final int PAD = 10;
    private static final int RIGHT = 16;
    private static final int TOP = 8;
    private static final int LANE = 22;

    /** A lane per rule holds its tactics above its bars. */
    private static final int RULE_LANE = 32;

    private static final int BAR = 12;
    private static final int AXIS = 30;

    /** Average glyph width at 11px, to keep tactic labels inside the plot. */
    private static final double CHAR = 6.2;

    private IncidentTimeline() {}

    /** A lane: its label, tooltip, severity badge, and the members drawn on it. */
    private record Lane(
            String label, String tooltip, Severity severity, List<Incident.Member> members) {}

    /**
     * @param svgId unique in the page, for the SVG's accessible title
     */
    static String svg(Incident incident, String svgId) {
        List<Incident.Member> members =
                incident.members().subList(0, Math.min(DRAWN, incident.members().size()));
        List<Lane> lanes = lanes(members);
        boolean byRule = members.size() > MEMBER_LANES;
        int laneHeight = byRule ? RULE_LANE : LANE;
        Instant start =
                members.stream()
                        .map(Incident.Member::firstEventTime)
                        .min(Instant::compareTo)
                        .orElseThrow();
        Instant end =
                members.stream()
                        .map(Incident.Member::lastEventTime)
                        .max(Instant::compareTo)
                        .orElseThrow();
        long spanMs = Math.max(Duration.between(start, end).toMillis(), 1000);
        double plotLeft = LABELS + PAD;
        double plotWidth = WIDTH - LABELS - RIGHT - 2 * PAD;
        int height = TOP + lanes.size() * laneHeight + AXIS;
        double bottom = TOP + lanes.size() * laneHeight;

        StringBuilder svg = new StringBuilder();
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<svg class=\"chart incident-chart\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                                + "height=\"%d\" role=\"img\" aria-labelledby=\"%s\">",
                        WIDTH,
                        height,
                        WIDTH,
                        height,
                        svgId));
        svg.append("<title id=\"")
                .append(svgId)
                .append("\">Members of the incident from ")
                .append(esc(start.toString()))
                .append(" to ")
                .append(esc(end.toString()))
                .append("</title>");
        for (int i = 0; i < lanes.size(); i++) {
            if (i % 2 == 1) {
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<rect class=\"lane\" x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" "
                                        + "fill=\"#f6f8fa\"/>",
                                TOP + i * laneHeight,
                                WIDTH,
                                laneHeight));
            }
        }
        Duration step = step(spanMs);
        long stepMs = step.toMillis();
        boolean days =
                !start.atOffset(ZoneOffset.UTC)
                        .toLocalDate()
                        .equals(end.atOffset(ZoneOffset.UTC).toLocalDate());
        String pattern =
                stepMs % 86_400_000L == 0
                        ? "yyyy-MM-dd"
                        : stepMs % 60_000 != 0 ? "HH:mm:ss" : days ? "MM-dd HH:mm" : "HH:mm";
        DateTimeFormatter format =
                DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC);
        for (long t = Math.floorDiv(start.toEpochMilli() + stepMs - 1, stepMs) * stepMs;
                t <= end.toEpochMilli();
                t += stepMs) {
            double x = plotLeft + plotWidth * (t - start.toEpochMilli()) / spanMs;
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>",
                            x,
                            TOP,
                            x,
                            bottom + 4));
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
                                    + "%s</text>",
                            x,
                            bottom + 17,
                            esc(format.format(Instant.ofEpochMilli(t)))));
        }
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                        plotLeft - PAD,
                        bottom,
                        plotLeft + plotWidth + PAD,
                        bottom));
        for (int i = 0; i < lanes.size(); i++) {
            Lane lane = lanes.get(i);
            double y = TOP + i * laneHeight;
            // Label and bars at the lane's foot; a rule lane's tactics above its bars.
            double foot = y + laneHeight - LANE;
            svg.append("<g class=\"lane-label\"><title>")
                    .append(esc(lane.tooltip()))
                    .append("</title>");
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"4\" y=\"%.1f\" width=\"16\" height=\"14\" rx=\"3\" "
                                    + "fill=\"%s\"/>",
                            foot + 4,
                            severityColour(lane.severity())));
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text class=\"sev-letter\" x=\"12\" y=\"%.1f\" text-anchor=\"middle\">"
                                    + "%s</text>",
                            foot + 15,
                            lane.severity().name().charAt(0)));
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text class=\"legend\" x=\"26\" y=\"%.1f\">%s</text></g>",
                            foot + 15,
                            esc(Html.cut(lane.label(), 34))));
            double lastEnd = 0;
            for (Incident.Member m : lane.members()) {
                double x0 =
                        plotLeft
                                + plotWidth
                                        * Duration.between(start, m.firstEventTime()).toMillis()
                                        / spanMs;
                double x1 =
                        plotLeft
                                + plotWidth
                                        * Duration.between(start, m.lastEventTime()).toMillis()
                                        / spanMs;
                double w = Math.max(x1 - x0, 6);
                double x = x1 - x0 < 6 ? x0 - 3 : x0;
                lastEnd = Math.max(lastEnd, x + w);
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<rect class=\"member sev-%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                                        + "height=\"%d\" rx=\"2\" fill=\"%s\"%s>",
                                m.severity().name(),
                                x,
                                foot + (LANE - BAR) / 2.0,
                                w,
                                BAR,
                                RuleColors.of(m.ruleId()),
                                outline(m.severity())));
                svg.append("<title>")
                        .append(
                                esc(
                                        m.severity().name()
                                                + " "
                                                + m.ruleId()
                                                + ": "
                                                + m.title()
                                                + " ("
                                                + m.firstEventTime()
                                                + " to "
                                                + m.lastEventTime()
                                                + ", "
                                                + Html.count(m.eventCount(), "event")
                                                + ")"))
                        .append("</title></rect>");
            }
            String tactics = Html.cut(tactics(lane.members().get(0).ruleId()), 60);
            if (!tactics.isEmpty() && byRule) {
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<text class=\"tactic\" x=\"%.1f\" y=\"%.1f\">%s</text>",
                                plotLeft,
                                y + 11,
                                esc(tactics)));
            } else if (!tactics.isEmpty()) {
                double width = tactics.length() * CHAR;
                double first =
                        lane.members().stream()
                                .mapToDouble(
                                        m ->
                                                plotLeft
                                                        + plotWidth
                                                                * Duration.between(
                                                                                start,
                                                                                m.firstEventTime())
                                                                        .toMillis()
                                                                / spanMs)
                                .min()
                                .orElse(plotLeft);
                // After the bars, else before them, else (a lane as wide as the plot) on them.
                boolean after = lastEnd + 6 + width <= plotLeft + plotWidth + PAD;
                boolean before = !after && first - 8 - width >= plotLeft - PAD;
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<text class=\"tactic\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">"
                                        + "%s</text>",
                                after ? lastEnd + 6 : before ? first - 8 : first + 4,
                                foot + 15,
                                before ? "end" : "start",
                                esc(tactics)));
            }
        }
        return svg.append("</svg>").toString();
    }

    /**
     * A lane per member (up to {@link #MEMBER_LANES}), else per rule in the order rules first
     * happened.
     */
    private static List<Lane> lanes(List<Incident.Member> members) {
        List<Lane> lanes = new ArrayList<>();
        if (members.size() <= MEMBER_LANES) {
            for (Incident.Member m : members) {
                String where = m.repository() != null ? m.repository() : m.sourceIp();
                lanes.add(
                        new Lane(
                                m.ruleId() + (where == null ? "" : " \u00b7 " + where),
                                m.title(),
                                m.severity(),
                                List.of(m)));
            }
            return lanes;
        }
        Map<String, List<Incident.Member>> byRule = new LinkedHashMap<>();
        members.forEach(m -> byRule.computeIfAbsent(m.ruleId(), r -> new ArrayList<>()).add(m));
        byRule.forEach(
                (rule, list) ->
                        lanes.add(
                                new Lane(
                                        rule + " (" + list.size() + ")",
                                        rule + ": " + Html.count(list.size(), "finding"),
                                        list.stream()
                                                .map(Incident.Member::severity)
                                                .reduce(Severity.INFORMATIONAL, Severity::max),
                                        list)));
        return lanes;
    }

    /**
     * The rule's ATT&CK tactic names, "Collection / Exfiltration"; empty for a rule outside the
     * catalog.
     */
    static String tactics(String ruleId) {
        return String.join(
                " / ",
                RuleCatalog.attack(ruleId).stream()
                        .map(AttackTechnique::tacticName)
                        .distinct()
                        .toList());
    }

    /** The smallest step that shows the span in at most {@link #MAX_TICKS} ticks. */
    static Duration step(long spanMs) {
        for (Duration d : STEPS) {
            if (spanMs / d.toMillis() < MAX_TICKS) {
                return d;
            }
        }
        Duration year = STEPS[STEPS.length - 1];
        return year.multipliedBy(spanMs / year.toMillis() / MAX_TICKS + 1);
    }

    /** The badge colours of the report's CSS (.sev-*), as SVG fills. */
    static String severityColour(Severity s) {
        return switch (s) {
            case CRITICAL -> "#82071e";
            case HIGH -> "#cf222e";
            case MEDIUM -> "#bc4c00";
            case LOW -> "#0969da";
            case INFORMATIONAL -> "#6e7781";
        };
    }

    private static String outline(Severity s) {
        return s.atLeast(Severity.HIGH)
                ? " stroke=\""
                        + severityColour(s)
                        + "\" stroke-width=\""
                        + (s == Severity.CRITICAL ? "2" : "1.5")
                        + "\""
                : "";
    }
}
