package io.layerwatch.report;

import static io.layerwatch.report.Html.cell;
import static io.layerwatch.report.Html.esc;
import static io.layerwatch.report.Html.num;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.Incident;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The incidents (rule attack-sequence) on top of the report: an index, then per incident its actor,
 * time span, story, tactics in order, rules, source addresses, repositories, a timeline of its
 * members ({@link IncidentTimeline}) and the members, linked to their rows in the findings table
 * when shown there.
 */
final class IncidentsSection {
    private IncidentsSection() {}

    /** The element id of an incident's block. */
    static String anchor(String incidentId) {
        return Html.anchor("incident-", incidentId);
    }

    /** Member finding id -> the id of the shown incident it is in. */
    static Map<String, String> members(List<IncidentScan.Entry> shown) {
        Map<String, String> out = new HashMap<>();
        shown.forEach(
                e -> e.incident().memberIds().forEach(m -> out.putIfAbsent(m, e.finding().id())));
        return out;
    }

    /**
     * @param rowIds ids of the findings in the findings table (their rows have anchors)
     */
    static void render(
            StringBuilder h,
            IncidentScan scan,
            List<IncidentScan.Entry> shown,
            Set<String> rowIds) {
        if (scan.unreadable > 0) {
            h.append(
                            "<p class=\"warn\">Incident findings whose details could not be read, left out here (they are in ")
                    .append("the findings table): ")
                    .append(Html.count(scan.unreadable, "line"))
                    .append(".</p>");
        }
        if (shown.isEmpty()) {
            h.append(
                            "<p class=\"note\">No incidents: no actor's findings of several rules were correlated into an ")
                    .append("attack sequence.</p>");
            return;
        }
        long total = scan.total();
        h.append("<p class=\"note\">")
                .append(
                        shown.size() < total || scan.overflow
                                ? "The "
                                        + num(shown.size())
                                        + " highest of "
                                        + (scan.overflow ? "over " : "")
                                        + num(total)
                                        + " incidents ("
                                        + (scan.overflow ? "over " : "")
                                        + num(total - shown.size())
                                        + " more, not shown: all are in findings.jsonl, rule attack-sequence)"
                                : Html.count(total, "incident"))
                .append(
                        ", by severity (highest first), then the most recent. One incident links the findings of ")
                .append("several rules by one actor; each is also a finding of rule <code>")
                .append(RuleCatalog.ATTACK_SEQUENCE)
                .append("</code> below.</p>");
        if (shown.size() > 1) {
            index(h, shown);
        }
        for (int i = 0; i < shown.size(); i++) {
            incident(h, shown.get(i), i, rowIds);
        }
    }

    private static void index(StringBuilder h, List<IncidentScan.Entry> shown) {
        h.append(
                        "<table class=\"incident-index\"><thead><tr><th>Severity</th><th>Actor</th><th>First event</th>")
                .append(
                        "<th>Duration</th><th>Tactics</th><th class=\"n\">Members</th></tr></thead><tbody>");
        for (IncidentScan.Entry e : shown) {
            Finding f = e.finding();
            h.append("<tr><td>")
                    .append(BacktestReport.severity(f.severity().name()))
                    .append("</td><td><a href=\"#")
                    .append(anchor(f.id()))
                    .append("\">")
                    .append(cell(actor(f), BacktestReport.TEXT_CHARS))
                    .append("</a></td><td class=\"nowrap\">")
                    .append(time(f.firstEventTime()))
                    .append("</td><td class=\"nowrap\">")
                    .append(duration(f.firstEventTime(), f.lastEventTime()))
                    .append("</td><td>")
                    .append(
                            cell(
                                    String.join(" \u2192 ", e.incident().tactics()),
                                    BacktestReport.TEXT_CHARS))
                    .append("</td><td class=\"n\">")
                    .append(num(e.incident().members().size()))
                    .append("</td></tr>");
        }
        h.append("</tbody></table>");
    }

    private static void incident(
            StringBuilder h, IncidentScan.Entry e, int index, Set<String> rowIds) {
        Finding f = e.finding();
        Incident inc = e.incident();
        h.append("<div class=\"incident\" id=\"")
                .append(anchor(f.id()))
                .append("\"><h3>")
                .append(BacktestReport.severity(f.severity().name()))
                .append(' ')
                .append(cell(f.title(), BacktestReport.TEXT_CHARS))
                .append("</h3><table class=\"kv\"><tbody>");
        row(h, "Actor", actorCell(f, inc));
        row(
                h,
                "Time",
                "<strong>"
                        + time(f.firstEventTime())
                        + "</strong> to <strong>"
                        + time(f.lastEventTime())
                        + "</strong> ("
                        + duration(f.firstEventTime(), f.lastEventTime())
                        + "), "
                        + Html.count(f.eventCount(), "event")
                        + ", "
                        + Html.count(inc.members().size(), "member finding"));
        row(
                h,
                "Severity",
                BacktestReport.severity(f.severity().name())
                        + (inc.raised()
                                ? " <span class=\"note\">raised one level above the highest member's: the sequence spans the stages of "
                                        + "incident.raise</span>"
                                : ""));
        row(h, "Story", cell(inc.story(), 2000));
        StringBuilder tactics = new StringBuilder();
        for (String t : inc.tactics()) {
            tactics.append(tactics.length() == 0 ? "" : " <span class=\"note\">\u2192</span> ")
                    .append("<code class=\"chip\">")
                    .append(cell(t, 80))
                    .append("</code>");
        }
        if (!inc.techniques().isEmpty()) {
            tactics.append("<div class=\"note small\">")
                    .append(cell(String.join(", ", inc.techniques()), 600))
                    .append("</div>");
        }
        row(h, "Tactics", tactics.toString());
        StringBuilder rules = new StringBuilder();
        inc.rules()
                .forEach(
                        r ->
                                rules.append("<span class=\"nowrap\">")
                                        .append(BacktestReport.swatch(r))
                                        .append("<code>")
                                        .append(cell(r, 80))
                                        .append("</code></span> "));
        row(h, "Rules", rules.toString().strip());
        row(h, "Source addresses", chips(inc.sourceIps()));
        row(h, "Repositories", chips(inc.repositories()));
        row(h, "Id", "<code>" + cell(f.id(), 80) + "</code>");
        h.append("</tbody></table><div class=\"chart-box\">")
                .append(IncidentTimeline.svg(inc, "incident-chart-" + index))
                .append("</div>");
        int drawn = Math.min(inc.members().size(), IncidentTimeline.DRAWN);
        if (drawn < inc.members().size()) {
            h.append("<p class=\"note\">The first ")
                    .append(num(drawn))
                    .append(" of ")
                    .append(num(inc.members().size()))
                    .append(" members are drawn and listed.</p>");
        }
        members(h, inc.members().subList(0, drawn), rowIds);
        h.append("</div>");
    }

    private static void members(
            StringBuilder h, List<Incident.Member> members, Set<String> rowIds) {
        h.append("<details><summary>Member findings (")
                .append(num(members.size()))
                .append(")</summary>")
                .append(
                        "<table class=\"members\"><thead><tr><th>Severity</th><th>Rule</th><th>First event</th>")
                .append(
                        "<th>Last event</th><th class=\"n\">Events</th><th>Repository</th><th>Source IP</th>")
                .append("<th>Finding</th></tr></thead><tbody>");
        for (Incident.Member m : members) {
            String title =
                    cell(m.title() == null ? m.ruleId() : m.title(), BacktestReport.TEXT_CHARS);
            h.append("<tr><td>")
                    .append(BacktestReport.severity(m.severity().name()))
                    .append("</td><td class=\"nowrap\">")
                    .append(BacktestReport.swatch(m.ruleId()))
                    .append("<code>")
                    .append(cell(m.ruleId(), 80))
                    .append("</code></td><td class=\"nowrap\">")
                    .append(time(m.firstEventTime()))
                    .append("</td><td class=\"nowrap\">")
                    .append(time(m.lastEventTime()))
                    .append("</td><td class=\"n\">")
                    .append(num(m.eventCount()))
                    .append("</td><td class=\"mono wrap\">")
                    .append(cell(m.repository(), 256))
                    .append("</td><td class=\"mono\">")
                    .append(cell(m.sourceIp(), 64))
                    .append("</td><td>")
                    .append(
                            rowIds.contains(m.id())
                                    ? "<a href=\"#"
                                            + BacktestReport.findingAnchor(m.id())
                                            + "\">"
                                            + title
                                            + "</a>"
                                    : title
                                            + "<div class=\"note small\">not among the findings table's rows</div>")
                    .append("</td></tr>");
        }
        h.append("</tbody></table></details>");
    }

    /** The principal (ARN, else name) and the session. */
    static String actor(Finding f) {
        Finding.FindingPrincipal p = f.principal();
        if (p == null) {
            return "(unknown principal)";
        }
        String who =
                p.arn() != null ? p.arn() : p.name() != null ? p.name() : "(unknown principal)";
        return p.sessionName() == null || who.endsWith("/" + p.sessionName())
                ? who
                : who + " (" + p.sessionName() + ")";
    }

    private static String actorCell(Finding f, Incident inc) {
        Finding.FindingPrincipal p = f.principal();
        StringBuilder out =
                new StringBuilder(
                        BacktestReport.entity(
                                p == null ? null : p.arn() != null ? p.arn() : p.name()));
        List<String> notes = new ArrayList<>();
        if (p != null && p.sessionName() != null) {
            notes.add("session " + p.sessionName());
        }
        List<String> keys =
                inc.accessKeys().isEmpty() && p != null && p.accessKeyId() != null
                        ? List.of(p.accessKeyId())
                        : inc.accessKeys();
        if (!keys.isEmpty()) {
            notes.add(
                    (keys.size() == 1 ? "access key " : "access keys ") + String.join(", ", keys));
        }
        if (!notes.isEmpty()) {
            out.append("<div class=\"note small\">")
                    .append(cell(String.join(" \u00b7 ", notes), 600))
                    .append("</div>");
        }
        List<String> others =
                inc.principals().stream().filter(x -> p == null || !x.equals(p.arn())).toList();
        if (!others.isEmpty()) {
            out.append("<div class=\"note small\">also as: ")
                    .append(chips(others))
                    .append("</div>");
        }
        return out.toString();
    }

    private static void row(StringBuilder h, String name, String html) {
        h.append("<tr><th scope=\"row\">")
                .append(name)
                .append("</th><td>")
                .append(html.isEmpty() ? "<span class=\"note\">\u2014</span>" : html)
                .append("</td></tr>");
    }

    private static String chips(List<String> values) {
        StringBuilder out = new StringBuilder();
        values.stream()
                .limit(50)
                .forEach(
                        v ->
                                out.append("<code class=\"chip\">")
                                        .append(cell(v, 256))
                                        .append("</code> "));
        if (values.size() > 50) {
            out.append("<span class=\"note\">+")
                    .append(num(values.size() - 50L))
                    .append(" more</span>");
        }
        return out.toString().strip();
    }

    /** 2024-05-01 12:00:05 */
    static String time(Instant t) {
        return esc(t.toString().replace('T', ' ').replace("Z", ""));
    }

    /** "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
    static String duration(Instant from, Instant to) {
        long s = Math.max(0, Duration.between(from, to).toSeconds());
        if (s < 60) {
            return s + " s";
        }
        long m = s / 60;
        if (m < 60) {
            return m + " min";
        }
        long hours = m / 60;
        return hours < 24
                ? hours + " h " + (m % 60) + " min"
                : hours / 24 + " d " + (hours % 24) + " h";
    }
}
