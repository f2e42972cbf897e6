package io.layerwatch.report;

import static io.layerwatch.report.Html.cell;
import static io.layerwatch.report.Html.esc;
import static io.layerwatch.report.Html.num;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.AttackTechnique;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.Severity;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.finding.Finding;
import io.layerwatch.replay.Replay;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * DIR/report.html: one self-contained HTML file (inline CSS and SVG; no script, font, image or
 * other external reference, and a Content-Security-Policy that forbids loading any) built from a
 * replay's DIR/findings.jsonl, DIR/dead-letter.jsonl, DIR/summary.json and the rules it ran with,
 * incidents on top ({@link IncidentsSection}). Files are streamed, so its size and the memory used
 * stay bounded for millions of findings.
 */
public final class BacktestReport {
    public static final String FILE = "report.html";

    /** Findings shown in the table, and dead letters shown as examples. */
    public static final int TABLE_ROWS = 200;

    public static final int DEAD_LETTER_EXAMPLES = 20;

    static final int TEXT_CHARS = 300;
    private static final Pattern ARN =
            Pattern.compile("arn:[^:]*:[^:]*::(\\d{12}):(.+)", Pattern.DOTALL);
    static final int JSON_CHARS = 8000;

    private BacktestReport() {}

    /**
     * Writes DIR/report.html and returns its path.
     *
     * @param from the replay's --from (null: none), shown as the window asked for
     * @param to the replay's --to (null: none)
     */
    public static Path write(Path dir, RulesConfig config, Instant from, Instant to)
            throws IOException {
        Path file = dir.resolve(FILE);
        Files.writeString(
                file,
                render(dir, config, from, to, TABLE_ROWS, DEAD_LETTER_EXAMPLES),
                StandardCharsets.UTF_8);
        return file;
    }

    static String render(
            Path dir, RulesConfig config, Instant from, Instant to, int rows, int examples)
            throws IOException {
        return render(dir, config, from, to, rows, examples, IncidentScan.SHOWN);
    }

    static String render(
            Path dir,
            RulesConfig config,
            Instant from,
            Instant to,
            int rows,
            int examples,
            int incidents)
            throws IOException {
        Path findingsFile = dir.resolve(Replay.FINDINGS);
        if (!Files.isRegularFile(findingsFile)) {
            throw new IOException(
                    findingsFile + ": not found (a report needs a replay's output directory)");
        }
        FindingsScan f = FindingsScan.of(findingsFile, rows, incidents);
        List<IncidentScan.Entry> shownIncidents = f.incidents.shown();
        DeadLetterScan d = DeadLetterScan.of(dir.resolve(Replay.DEAD_LETTERS), examples);
        Path summaryFile = dir.resolve(Replay.SUMMARY);
        JsonNode summary =
                Files.isRegularFile(summaryFile) ? Json.tree(Files.readString(summaryFile)) : null;

        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>")
                .append(
                        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; ")
                .append("base-uri 'none'; form-action 'none'\"/>")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>")
                .append("<title>LayerWatch backtest report</title><style>")
                .append(CSS)
                .append("</style></head><body>");
        h.append("<header><h1>LayerWatch backtest report</h1><p>")
                .append(esc(dir.toAbsolutePath().normalize().toString()))
                .append(" \u00b7 generated ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append("</p></header>");
        h.append("<nav><a href=\"#incidents\">Incidents</a><a href=\"#summary\">Summary</a>")
                .append("<a href=\"#timeline\">Timeline</a><a href=\"#top\">Top entities</a>")
                .append(
                        "<a href=\"#findings\">Findings</a><a href=\"#dead-letters\">Dead letters</a>")
                .append("<a href=\"#rules\">Rules</a></nav><main>");
        section(h, "incidents", "Incidents");
        Set<String> rowIds = new HashSet<>();
        f.rows.forEach(r -> rowIds.add(r.line().id()));
        IncidentsSection.render(h, f.incidents, shownIncidents, rowIds);
        section(h, "summary", "Summary");
        summary(h, f, d, summary, config, from, to);
        section(h, "timeline", "Findings over time");
        timeline(h, f);
        section(h, "top", "Top principals, repositories and source IPs");
        top(h, f);
        section(h, "findings", "Findings");
        findings(
                h,
                f,
                IncidentsSection.members(shownIncidents),
                shownIncidents.stream().map(e -> e.finding().id()).collect(Collectors.toSet()));
        section(h, "dead-letters", "Dead letters");
        deadLetters(h, d);
        section(h, "rules", "Rule configuration");
        RulesSection.render(h, config);
        h.append(
                        "</section></main><footer>LayerWatch \u00b7 self-contained report: no scripts, no external resources. ")
                .append("Times are UTC.</footer></body></html>\n");
        return h.toString();
    }

    private static void section(StringBuilder h, String id, String title) {
        if (!"incidents".equals(id)) {
            h.append("</section>");
        }
        h.append("<section id=\"").append(id).append("\"><h2>").append(title).append("</h2>");
    }

    private static void summary(
            StringBuilder h,
            FindingsScan f,
            DeadLetterScan d,
            JsonNode summary,
            RulesConfig config,
            Instant from,
            Instant to) {
        h.append("<div class=\"cards\">");
        card(h, "Events read", summaryValue(summary, "eventsRead"));
        card(h, "ECR events matched", summaryValue(summary, "eventsMatched"));
        card(h, "Findings", num(f.total));
        card(
                h,
                "Dead-lettered",
                summary == null && d.present
                        ? num(d.total)
                        : summaryValue(summary, "deadLettered"));
        card(h, "Late events", summaryValue(summary, "late"));
        card(h, "Failed scans", summaryValue(summary, "scansFailed"));
        h.append("</div>");
        if (summary == null) {
            h.append(
                    "<p class=\"note\">No summary.json: event counts are not known (dead letters: from dead-letter.jsonl).</p>");
        }
        h.append("<p>Time range of the findings (first to last event time): ");
        if (f.first == null) {
            h.append("<span class=\"note\">none</span>");
        } else {
            h.append("<strong>")
                    .append(f.first)
                    .append("</strong> to <strong>")
                    .append(f.last)
                    .append("</strong>");
        }
        h.append(". Replay window: ");
        h.append(
                from == null && to == null
                        ? "the whole input"
                        : (from == null ? "start" : esc(from.toString()))
                                + " to "
                                + (to == null ? "end" : esc(to.toString())));
        h.append(".</p>");
        if (f.unreadable > 0) {
            h.append("<p class=\"warn\">Not findings, left out: ")
                    .append(Html.count(f.unreadable, "line"))
                    .append(" of findings.jsonl.</p>");
        }
        h.append(
                        "<div class=\"grid2\"><div><h3>By rule</h3><table><thead><tr><th>Rule</th><th>Severity</th>")
                .append(
                        "<th class=\"n\">Findings</th><th class=\"n\">Share</th></tr></thead><tbody>");
        for (Map.Entry<String, Long> e : f.byRule.entrySet()) {
            String rule = e.getKey();
            boolean known = config.rules().containsKey(rule);
            h.append("<tr")
                    .append(e.getValue() == 0 ? " class=\"off\"" : "")
                    .append("><td>")
                    .append(swatch(rule))
                    .append("<code>")
                    .append(cell(rule, TEXT_CHARS))
                    .append("</code>")
                    .append(
                            known && !config.enabled(rule)
                                    ? " <span class=\"note\">(disabled)</span>"
                                    : "")
                    .append("</td><td>")
                    .append(known ? severity(config.rule(rule).severity().name()) : "")
                    .append("</td><td class=\"n\">")
                    .append(num(e.getValue()))
                    .append("</td><td class=\"n\">")
                    .append(Html.pct(e.getValue(), f.total))
                    .append("</td></tr>");
        }
        h.append(
                        "</tbody></table></div><div><h3>By severity</h3><table><thead><tr><th>Severity</th>")
                .append(
                        "<th class=\"n\">Findings</th><th class=\"n\">Share</th></tr></thead><tbody>");
        f.bySeverity.forEach(
                (sev, n) ->
                        h.append("<tr><td>")
                                .append(severity(sev))
                                .append("</td><td class=\"n\">")
                                .append(num(n))
                                .append("</td><td class=\"n\">")
                                .append(Html.pct(n, f.total))
                                .append("</td></tr>"));
        h.append("</tbody></table></div></div>");
    }

    private static String summaryValue(JsonNode summary, String field) {
        JsonNode v = summary == null ? null : summary.get(field);
        return v != null && v.canConvertToLong() ? num(v.asLong()) : "\u2014";
    }

    private static void card(StringBuilder h, String label, String value) {
        h.append("<div class=\"card\"><div class=\"k\">")
                .append(label)
                .append("</div><div class=\"v\">")
                .append(value)
                .append("</div></div>");
    }

    private static void timeline(StringBuilder h, FindingsScan f) {
        if (f.timeline == null) {
            h.append("<p class=\"note\">No findings with an event time.</p>");
            return;
        }
        h.append("<p class=\"note\">Findings per ")
                .append(Timeline.label(f.timeline.bucket()))
                .append(
                        " by the time of their first event, stacked by rule.</p><div class=\"chart-box\">")
                .append(f.timeline.svg(f.byRule))
                .append("</div>");
    }

    private static void top(StringBuilder h, FindingsScan f) {
        h.append("<div class=\"grid3\">");
        topTable(h, "Principals", "Principal", f.principals, f.total);
        topTable(h, "Repositories", "Repository", f.repositories, f.total);
        topTable(h, "Source IPs", "Source IP", f.sourceIps, f.total);
        h.append("</div>");
    }

    @SuppressWarnings("EnumOrdinal") // severity ranks: the declared order
    private static void topTable(
            StringBuilder h, String title, String column, TopCounter counter, long total) {
        h.append("<div><h3>")
                .append(title)
                .append("</h3><table><thead><tr><th>")
                .append(column)
                .append("</th><th class=\"n\">Findings</th><th>Highest</th></tr></thead><tbody>");
        List<TopCounter.Entry> top = counter.top(FindingsScan.TOP);
        for (TopCounter.Entry e : top) {
            h.append("<tr><td>")
                    .append(entity(e.key))
                    .append("<div class=\"note small\">")
                    .append(esc(rules(e.rules)))
                    .append("</div></td><td class=\"n\">")
                    .append(num(e.count))
                    .append("<div class=\"note small\">")
                    .append(Html.pct(e.count, total))
                    .append("</div></td><td>")
                    .append(
                            e.maxSeverity < 0
                                    ? ""
                                    : severity(Severity.values()[e.maxSeverity].name()))
                    .append("</td></tr>");
        }
        if (top.isEmpty()) {
            h.append("<tr><td colspan=\"3\" class=\"note\">None in the findings.</td></tr>");
        }
        h.append("</tbody></table>");
        if (counter.missableBelow() > 0) {
            h.append("<p class=\"note small\">Over ")
                    .append(num(FindingsScan.CANDIDATES))
                    .append(" distinct values: one with at most ")
                    .append(num(counter.missableBelow()))
                    .append(" findings may be missing here; the counts shown are exact.</p>");
        }
        h.append("</div>");
    }

    /** Up to three rule ids, then how many more. */
    private static String rules(Collection<String> rules) {
        List<String> shown = rules.stream().limit(3).toList();
        return String.join(", ", shown)
                + (rules.size() > 3 ? " +" + (rules.size() - 3) + " more" : "");
    }

    /**
     * A principal ARN as its resource part with the account below, a repository key (name, tab,
     * registry) as name with the registry below; anything else as it is. The whole value is the
     * tooltip.
     */
    static String entity(String value) {
        if (value == null) {
            return "";
        }
        String main = value;
        String below = null;
        Matcher arn = ARN.matcher(value);
        int tab = value.indexOf('\t');
        if (arn.matches()) {
            main = arn.group(2);
            below = arn.group(1);
        } else if (tab >= 0) {
            main = value.substring(0, tab);
            below = value.substring(tab + 1);
        }
        return "<div class=\"mono wrap\" title=\""
                + cell(value.replace('\t', ' '), TEXT_CHARS)
                + "\">"
                + cell(main, TEXT_CHARS)
                + "</div>"
                + (below == null
                        ? ""
                        : "<div class=\"note small\">" + cell(below, TEXT_CHARS) + "</div>");
    }

    /** The element id of a finding's (first) row in the findings table. */
    static String findingAnchor(String findingId) {
        return Html.anchor("finding-", findingId);
    }

    /**
     * @param memberOf member finding id -> the shown incident it is in
     * @param shownIncidents ids of the incidents the incidents section shows
     */
    private static void findings(
            StringBuilder h,
            FindingsScan f,
            Map<String, String> memberOf,
            Set<String> shownIncidents) {
        if (f.total == 0) {
            h.append("<p class=\"note\">No findings.</p>");
            return;
        }
        h.append("<p class=\"note\">")
                .append(
                        f.rows.size() < f.total
                                ? "Showing the first "
                                        + num(f.rows.size())
                                        + " of "
                                        + num(f.total)
                                        + " findings ("
                                        + num(f.total - f.rows.size())
                                        + " not shown; all are in findings.jsonl)"
                                : "All " + num(f.total) + " findings")
                .append(
                        ", by severity (highest first), then first event time. Open a title for the evidence.</p>");
        h.append(
                        "<table class=\"findings\"><thead><tr><th>Severity</th><th>Rule</th><th>First event</th>")
                .append(
                        "<th class=\"n\">Events</th><th>Principal</th><th>Repository</th><th>Source IP</th>")
                .append("<th>Finding</th></tr></thead><tbody>");
        Set<String> anchored = new HashSet<>();
        for (FindingsScan.Row row : f.rows) {
            FindingLine l = row.line();
            JsonNode n = row.finding() == null ? Json.MAPPER.createObjectNode() : row.finding();
            List<AttackTechnique> attack = attack(n, l.ruleId());
            // One anchor per id: a stream's findings.jsonl may hold several versions of a finding.
            h.append(
                            l.id() != null && anchored.add(l.id())
                                    ? "<tr id=\"" + findingAnchor(l.id()) + "\">"
                                    : "<tr>")
                    .append("<td>")
                    .append(severity(l.severity()))
                    .append("</td><td>")
                    .append("<span class=\"nowrap\">")
                    .append(swatch(l.ruleId()))
                    .append("<code>")
                    .append(cell(l.ruleId(), TEXT_CHARS))
                    .append("</code></span>")
                    .append(techniqueIds(attack))
                    .append("</td><td class=\"nowrap\">")
                    .append(l.first() == null ? "" : esc(l.first().toString().replace('T', ' ')))
                    .append("</td><td class=\"n\">")
                    .append(cell(n.path("eventCount").asText(""), 20))
                    .append("</td><td>")
                    .append(entity(l.principal()))
                    .append("</td><td>")
                    .append(entity(l.repositoryKey()))
                    .append("</td><td class=\"mono\">")
                    .append(cell(l.sourceIp(), 64))
                    .append("</td><td>");
            String incident =
                    RuleCatalog.ATTACK_SEQUENCE.equals(l.ruleId())
                            ? l.id()
                            : n.path("details").path(Finding.INCIDENT_ID).isTextual()
                                    ? n.path("details").path(Finding.INCIDENT_ID).asText()
                                    : memberOf.get(l.id());
            if (incident != null) {
                String label =
                        RuleCatalog.ATTACK_SEQUENCE.equals(l.ruleId())
                                ? "incident"
                                : "part of an incident";
                h.append("<div class=\"small\">")
                        .append(
                                shownIncidents.contains(incident)
                                        ? "<a href=\"#"
                                                + IncidentsSection.anchor(incident)
                                                + "\">"
                                                + label
                                                + "</a>"
                                        : "<span class=\"note\">"
                                                + label
                                                + " "
                                                + cell(incident, 80)
                                                + "</span>")
                        .append("</div>");
            }
            h.append("<details><summary>")
                    .append(cell(n.path("title").asText(l.ruleId()), TEXT_CHARS))
                    .append("</summary><dl>");
            term(h, "Id", cell(l.id(), 80));
            term(
                    h,
                    "ATT&amp;CK",
                    cell(
                            String.join("; ", attack.stream().map(AttackTechnique::label).toList()),
                            TEXT_CHARS));
            term(h, "Description", cell(n.path("description").asText(null), 2000));
            term(
                    h,
                    "Account / region",
                    cell(n.path("accountId").asText("") + " / " + n.path("region").asText(""), 80));
            term(h, "User agent", cell(n.path("userAgent").asText(null), TEXT_CHARS));
            term(h, "Last event", cell(n.path("lastEventTime").asText(null), 40));
            term(h, "Details", json(n.get("details")));
            term(h, "Evidence", json(n.get("evidence")));
            h.append("</dl></details></td></tr>");
        }
        h.append("</tbody></table>");
    }

    /**
     * The finding's ATT&CK techniques; the catalog's for its rule when the line has none (written
     * before findings carried them); none when they cannot be read.
     */
    static List<AttackTechnique> attack(JsonNode finding, String ruleId) {
        JsonNode attack = finding.get("attack");
        if (attack == null || attack.isNull()) {
            return RuleCatalog.attack(ruleId);
        }
        try {
            return Arrays.stream(Json.MAPPER.treeToValue(attack, AttackTechnique[].class))
                    .filter(Objects::nonNull)
                    .toList();
        } catch (IOException | IllegalArgumentException e) {
            return List.of();
        }
    }

    /** Technique ids below the rule id, each with its name and tactic as the tooltip. */
    static String techniqueIds(List<AttackTechnique> attack) {
        if (attack.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("<div class=\"note small\">");
        for (int i = 0; i < attack.size(); i++) {
            AttackTechnique t = attack.get(i);
            out.append(i == 0 ? "" : ", ")
                    .append("<span title=\"")
                    .append(cell(t.label(), TEXT_CHARS))
                    .append("\">")
                    .append(cell(t.technique(), 40))
                    .append("</span>");
        }
        return out.append("</div>").toString();
    }

    private static void term(StringBuilder h, String name, String html) {
        if (!html.isEmpty()) {
            h.append("<dt>").append(name).append("</dt><dd>").append(html).append("</dd>");
        }
    }

    private static String json(JsonNode node) {
        if (node == null || node.isNull() || node.isEmpty()) {
            return "";
        }
        try {
            String text = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
            return "<pre>" + Html.pre(text, JSON_CHARS) + "</pre>";
        } catch (IOException e) {
            return "";
        }
    }

    private static void deadLetters(StringBuilder h, DeadLetterScan d) {
        if (!d.present) {
            h.append("<p class=\"note\">No dead-letter.jsonl.</p>");
            return;
        }
        h.append("<p>")
                .append(num(d.total))
                .append(d.total == 1 ? " input was" : " inputs were")
                .append(" dead-lettered (could not be decoded; kept in dead-letter.jsonl).</p>");
        if (d.unreadable > 0) {
            h.append("<p class=\"warn\">Not dead letters, left out: ")
                    .append(Html.count(d.unreadable, "line"))
                    .append(" of dead-letter.jsonl.</p>");
        }
        if (d.total == 0) {
            return;
        }
        h.append(
                "<h3>By reason</h3><table><thead><tr><th>Reason</th><th class=\"n\">Count</th></tr></thead><tbody>");
        for (TopCounter.Entry e : d.reasons.top(FindingsScan.TOP * 2)) {
            h.append("<tr><td class=\"wrap\">")
                    .append(esc(e.key))
                    .append("</td><td class=\"n\">")
                    .append(num(e.count))
                    .append("</td></tr>");
        }
        h.append("</tbody></table><h3>First ")
                .append(num(d.examples.size()))
                .append(" of ")
                .append(num(d.total))
                .append(
                        "</h3><table><thead><tr><th>Source</th><th>Stage</th><th>Reason</th><th class=\"n\">Bytes</th>")
                .append("<th>Payload (start)</th></tr></thead><tbody>");
        for (DeadLetter x : d.examples) {
            h.append("<tr><td class=\"wrap mono\">")
                    .append(cell(x.source(), TEXT_CHARS))
                    .append("</td><td>")
                    .append(cell(x.stage(), 40))
                    .append("</td><td class=\"wrap\">")
                    .append(esc(DeadLetterScan.reason(x)))
                    .append("</td><td class=\"n\">")
                    .append(num(x.payloadBytes()))
                    .append("</td><td><pre>")
                    .append("base64".equals(x.encoding()) ? "(base64) " : "")
                    .append(Html.pre(x.payload(), Integer.MAX_VALUE))
                    .append("</pre></td></tr>");
        }
        h.append("</tbody></table>");
    }

    /** A severity badge; the CSS class only for a known label. */
    static String severity(String label) {
        String cls = FindingLine.rank(label) >= 0 ? "sev sev-" + label : "sev";
        return "<span class=\""
                + cls
                + "\">"
                + cell(label == null ? "(none)" : label, 40)
                + "</span>";
    }

    static String swatch(String rule) {
        return "<span class=\"swatch\" style=\"background:" + RuleColors.of(rule) + "\"></span>";
    }

    private static final String CSS =
            String.join(
                    "",
                    ":root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;--accent:#0b5cad}",
                    "*{box-sizing:border-box}",
                    "body{margin:0;color:var(--fg);background:#fff;font:14px/1.5 -apple-system,BlinkMacSystemFont,\"Segoe UI\",",
                    "Roboto,\"Helvetica Neue\",Arial,\"Noto Sans\",\"Liberation Sans\",\"DejaVu Sans\",sans-serif}",
                    "header{background:#0d1b2a;color:#fff;padding:18px 32px}",
                    "header h1{margin:0;font-size:22px;font-weight:600;letter-spacing:.01em}",
                    "header p{margin:4px 0 0;color:#b8c4d0;font-size:12px;word-break:break-all}",
                    "nav{padding:8px 32px;border-bottom:1px solid var(--line);background:var(--panel);font-size:13px}",
                    "nav a{color:var(--accent);margin-right:18px;text-decoration:none}",
                    "main{padding:4px 32px 24px;max-width:1480px}",
                    "section{margin-top:26px}",
                    "h2{font-size:18px;font-weight:600;margin:0 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}",
                    "h3{font-size:14px;font-weight:600;margin:14px 0 8px}",
                    ".cards{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:12px;margin-bottom:12px}",
                    ".card{border:1px solid var(--line);border-radius:6px;padding:10px 14px;background:var(--panel)}",
                    ".card .k{font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}",
                    ".card .v{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}",
                    ".grid2{display:grid;grid-template-columns:3fr 2fr;gap:28px}",
                    ".grid3{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:24px}",
                    "table{border-collapse:collapse;width:100%;font-size:13px}",
                    "th,td{text-align:left;padding:5px 10px;border-bottom:1px solid var(--line);vertical-align:top}",
                    "thead th{background:var(--panel);font-weight:600;font-size:11px;color:var(--muted);",
                    "text-transform:uppercase;letter-spacing:.04em}",
                    "table.kv th{width:200px;font-weight:600;font-size:13px;color:var(--fg);background:none}",
                    "tbody tr:nth-child(even) td{background:#fbfcfd}",
                    "tr.off td{color:var(--muted)}",
                    ".n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}",
                    ".nowrap{white-space:nowrap}",
                    ".wrap{overflow-wrap:anywhere}",
                    "code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"Liberation Mono\",",
                    "\"DejaVu Sans Mono\",monospace;font-size:12px}",
                    "code.chip{background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:0 5px;",
                    "margin:0 2px 2px 0;display:inline-block}",
                    "pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--panel);border:1px solid var(--line);",
                    "border-radius:4px;padding:8px;margin:4px 0;max-height:320px;overflow:auto}",
                    ".note{color:var(--muted)}.small{font-size:11px}",
                    ".warn{color:#9a6700;background:#fff8c5;border:1px solid #d4a72c;border-radius:4px;padding:6px 10px}",
                    ".sev{display:inline-block;padding:0 8px;border-radius:10px;font-size:11px;font-weight:600;",
                    "line-height:18px;color:#fff;background:#6e7781}",
                    ".sev-CRITICAL{background:#82071e}.sev-HIGH{background:#cf222e}.sev-MEDIUM{background:#bc4c00}",
                    ".sev-LOW{background:#0969da}.sev-INFORMATIONAL{background:#6e7781}",
                    ".swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}",
                    "details summary{cursor:pointer;color:var(--accent)}",
                    "dl{margin:6px 0 0}dt{font-size:11px;color:var(--muted);text-transform:uppercase;margin-top:6px}",
                    "dd{margin:0;overflow-wrap:anywhere}",
                    "table.findings td:last-child{width:34%}",
                    ".chart-box{border:1px solid var(--line);border-radius:6px;padding:12px 8px 4px}",
                    "svg.chart{max-width:100%;height:auto;display:block}",
                    "svg text{font-size:11px;fill:#59636e}svg text.legend{font-size:12px;fill:#1f2328}",
                    "svg .grid{stroke:#eaeef2}svg .axis{stroke:#8c959f}",
                    "a{color:var(--accent)}",
                    ".incident{border:1px solid var(--line);border-radius:6px;padding:4px 14px 12px;margin:14px 0}",
                    ".incident h3{font-size:15px}.incident table.kv th{width:150px}",
                    "table.incident-index{margin-bottom:8px}",
                    "svg text.sev-letter{font-size:10px;font-weight:700;fill:#fff}svg text.tactic{font-size:11px;fill:#1f2328}",
                    "footer{padding:16px 32px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}");
}
