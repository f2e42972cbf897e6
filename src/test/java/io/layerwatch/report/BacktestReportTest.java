package io.layerwatch.report;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.TIME;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.cli.LayerWatchCli;
import io.layerwatch.config.AttackTechnique;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.finding.Incident;
import io.layerwatch.replay.Replay;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.util.Json;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The report's HTML: sections, figures from the files, escaping of hostile data, nothing external.
 */
class BacktestReportTest {

    static final String SCRIPT = "<script>alert(1)</script>";
    static final String IMG = "\"><img src=x onerror=alert(1)>";
    static final String SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;";
    static final String IMG_ESCAPED = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;";

    static final RulesConfig RULES = RulesConfigLoader.builtIn();

    static Finding finding(
            String rule, Severity severity, CloudTrailRecords.Builder record, String title) {
        return FindingBuilder.of(RULES.rule(rule))
                .severity(severity)
                .event(record.event())
                .title(title)
                .build();
    }

    static CloudTrailRecords.Builder download(String repository, Instant time) {
        return record("GetDownloadUrlForLayer")
                .time(time)
                .requestParameters(
                        CloudTrailRecords.object(
                                "repositoryName", repository, "layerDigest", "sha256:1"));
    }

    static void write(
            Path dir, List<Finding> findings, List<DeadLetter> deadLetters, Replay.Summary summary)
            throws Exception {
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>();
        findings.forEach(f -> lines.add(Json.write(f)));
        Files.write(dir.resolve(Replay.FINDINGS), lines);
        List<String> dl = new ArrayList<>();
        deadLetters.forEach(d -> dl.add(Json.write(d)));
        Files.write(dir.resolve(Replay.DEAD_LETTERS), dl);
        if (summary != null) {
            Files.writeString(dir.resolve(Replay.SUMMARY), Json.write(summary));
        }
    }

    static Replay.Summary summary(long read, long matched, long dead, long late) {
        return new Replay.Summary(read, matched, Map.of(), Map.of(), dead, late, 0);
    }

    /** The report is well-formed XML too: parsed strictly, queried with XPath. */
    static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setExpandEntityReferences(false);
        return f.newDocumentBuilder().parse(new InputSource(new StringReader(html)));
    }

    static List<Node> nodes(Document doc, String xpath) throws Exception {
        NodeList list =
                (NodeList)
                        XPathFactory.newInstance()
                                .newXPath()
                                .evaluate(xpath, doc, XPathConstants.NODESET);
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < list.getLength(); i++) {
            out.add(list.item(i));
        }
        return out;
    }

    static String text(Node n) {
        return n.getTextContent().strip();
    }

    /**
     * The rows of the tables of a section, under the h3 {@code heading} (every table when null):
     * cell texts.
     */
    static List<List<String>> rows(Document doc, String section, String heading) throws Exception {
        String tables =
                heading == null
                        ? "//section[@id='" + section + "']//table"
                        : "//section[@id='"
                                + section
                                + "']//h3[.='"
                                + heading
                                + "']/following-sibling::table[1]";
        List<List<String>> out = new ArrayList<>();
        for (Node tr : nodes(doc, tables + "/tbody/tr")) {
            List<String> cells = new ArrayList<>();
            for (Node td = tr.getFirstChild(); td != null; td = td.getNextSibling()) {
                cells.add(text(td));
            }
            out.add(cells);
        }
        return out;
    }

    /** Severity and title of the findings table's rows, in order. */
    static List<String> findingRows(Document doc) throws Exception {
        List<String> out = new ArrayList<>();
        for (Node tr : nodes(doc, "//section[@id='findings']//table/tbody/tr")) {
            out.add(text(tr.getFirstChild()) + " " + text(nodes(doc, "//summary").get(out.size())));
        }
        return out;
    }

    /**
     * An incident finding over {@code members} (by time), as the correlator writes one: details
     * from Incident.
     */
    static Finding incident(String id, Severity severity, List<Finding> members, String story) {
        Finding first = members.get(0);
        List<AttackTechnique> attack =
                members.stream().flatMap(m -> m.attack().stream()).distinct().toList();
        Incident incident =
                new Incident(
                        members.stream().map(Incident.Member::of).toList(),
                        attack.stream()
                                .map(t -> t.tactic() + " " + t.tacticName())
                                .distinct()
                                .toList(),
                        attack.stream().map(AttackTechnique::technique).toList(),
                        List.of(first.principal().arn()),
                        members.stream()
                                .map(m -> m.principal().accessKeyId())
                                .filter(Objects::nonNull)
                                .distinct()
                                .toList(),
                        members.stream()
                                .map(Finding::sourceIp)
                                .filter(Objects::nonNull)
                                .distinct()
                                .toList(),
                        members.stream()
                                .filter(m -> m.repository() != null)
                                .map(m -> m.repository().name())
                                .distinct()
                                .toList(),
                        story,
                        false);
        Instant last =
                members.stream().map(Finding::lastEventTime).max(Instant::compareTo).orElseThrow();
        return new Finding(
                id,
                RuleCatalog.ATTACK_SEQUENCE,
                severity,
                "Attack sequence by "
                        + first.principal().arn()
                        + " ("
                        + first.principal().sessionName()
                        + ")",
                story,
                ACCOUNT,
                "us-east-1",
                first.principal(),
                first.repository(),
                first.sourceIp(),
                first.userAgent(),
                first.firstEventTime(),
                last,
                members.stream().mapToLong(Finding::eventCount).sum(),
                first.principal().arn(),
                members.stream().flatMap(m -> m.eventIds().stream()).toList(),
                incident.details(),
                List.of(),
                attack);
    }

    /**
     * A finding by the role developer, session mallory, from 198.51.100.23, {@code minutes} after
     * TIME.
     */
    static Finding mallory(
            String rule,
            Severity severity,
            String event,
            String repository,
            long minutes,
            String title) {
        return finding(
                rule,
                severity,
                record(event)
                        .assumedRole(ACCOUNT, "developer", "mallory")
                        .sourceIp("198.51.100.23")
                        .repositoryName(repository)
                        .time(TIME.plusSeconds(60 * minutes)),
                title);
    }

    /** The cells (th, td) of an incident block's key-value table, by row name. */
    static Map<String, Node> incidentRows(Document doc, String incidentAnchor) throws Exception {
        Map<String, Node> out = new LinkedHashMap<>();
        for (Node tr :
                nodes(doc, "//div[@id='" + incidentAnchor + "']/table[@class='kv']/tbody/tr")) {
            out.put(text(tr.getFirstChild()), tr.getLastChild());
        }
        return out;
    }

    static List<String> texts(Document doc, String xpath) throws Exception {
        return nodes(doc, xpath).stream().map(BacktestReportTest::text).toList();
    }

    static List<String> attributes(Document doc, String xpath) throws Exception {
        return nodes(doc, xpath).stream().map(Node::getNodeValue).toList();
    }

    @Test
    void everySectionWithTheFiguresOfTheFiles(@TempDir Path dir) throws Exception {
        List<Finding> findings =
                List.of(
                        finding(
                                RuleCatalog.LAYER_DOWNLOAD,
                                Severity.LOW,
                                download("app", TIME),
                                "download 1"),
                        finding(
                                RuleCatalog.LAYER_DOWNLOAD,
                                Severity.LOW,
                                download("app", TIME.plusSeconds(3600)),
                                "download 2"),
                        finding(
                                RuleCatalog.LAYER_DOWNLOAD,
                                Severity.LOW,
                                download("app", TIME.plusSeconds(7200)),
                                "download 3"),
                        finding(
                                RuleCatalog.REPOSITORY_EXPOSED,
                                Severity.CRITICAL,
                                record("SetRepositoryPolicy")
                                        .assumedRole(ACCOUNT, "Reader", "bob")
                                        .sourceIp("198.51.100.7")
                                        .repositoryName("web")
                                        .time(TIME.plusSeconds(1800)),
                                "exposed"),
                        finding(
                                RuleCatalog.POLICY_DELETED,
                                Severity.MEDIUM,
                                record("DeleteRepositoryPolicy")
                                        .repositoryName("web")
                                        .time(TIME.plusSeconds(10800)),
                                "deleted"));
        List<DeadLetter> dead =
                List.of(
                        DeadLetter.of("a.json", "decode", "not JSON or gzip", "xx"),
                        DeadLetter.of("b.json", "decode", "not JSON or gzip", "yy"),
                        DeadLetter.of(
                                "c.json",
                                "decode",
                                "unrecognised JSON object (fields: a)",
                                "{\"a\":1}"));
        write(dir, findings, dead, summary(42, 17, 3, 2));

        String html = BacktestReport.render(dir, RULES, null, null, 200, 20);
        Document doc = parse(html);

        assertThat(attributes(doc, "//main/section/@id"))
                .containsExactly(
                        "incidents",
                        "summary",
                        "timeline",
                        "top",
                        "findings",
                        "dead-letters",
                        "rules");
        assertThat(nodes(doc, "//main/section/h2")).hasSize(7);
        // No incident: one line says so.
        assertThat(texts(doc, "//section[@id='incidents']/*[not(self::h2)]"))
                .containsExactly(
                        "No incidents: no actor's findings of several rules were correlated into an attack sequence.");
        Map<String, String> cards = new LinkedHashMap<>();
        for (Node card : nodes(doc, "//div[@class='card']")) {
            cards.put(text(card.getFirstChild()), text(card.getLastChild()));
        }
        assertThat(cards)
                .containsEntry("Events read", "42")
                .containsEntry("ECR events matched", "17")
                .containsEntry("Findings", "5")
                .containsEntry("Dead-lettered", "3")
                .containsEntry("Late events", "2");
        assertThat(text(nodes(doc, "//section[@id='summary']/p[1]").get(0)))
                .contains("2024-05-01T12:00:00Z to 2024-05-01T15:00:00Z")
                .contains("the whole input");

        List<List<String>> byRule = rows(doc, "summary", "By rule");
        assertThat(byRule).hasSize(RuleCatalog.rules().size());
        assertThat(byRule)
                .contains(
                        List.of("layer-download", "LOW", "3", "60.0%"),
                        List.of("repository-exposed", "CRITICAL", "1", "20.0%"),
                        List.of("policy-deleted", "MEDIUM", "1", "20.0%"),
                        List.of("endgame-ioc", "CRITICAL", "0", "0.0%"));
        assertThat(rows(doc, "summary", "By severity"))
                .containsExactly(
                        List.of("CRITICAL", "1", "20.0%"),
                        List.of("HIGH", "0", "0.0%"),
                        List.of("MEDIUM", "1", "20.0%"),
                        List.of("LOW", "3", "60.0%"),
                        List.of("INFORMATIONAL", "0", "0.0%"));

        // 3 hours of findings: 5-minute bars, one per finding, and a legend with the totals.
        assertThat(text(nodes(doc, "//section[@id='timeline']/p").get(0)))
                .contains("per 5 minutes");
        List<String> bars = new ArrayList<>();
        for (Node t :
                nodes(
                        doc,
                        "//section[@id='timeline']//*[local-name()='rect']/*[local-name()='title']")) {
            bars.add(text(t));
        }
        assertThat(bars)
                .containsExactlyInAnyOrder(
                        "layer-download: 1 from 05-01 12:00",
                        "layer-download: 1 from 05-01 13:00",
                        "layer-download: 1 from 05-01 14:00",
                        "repository-exposed: 1 from 05-01 12:30",
                        "policy-deleted: 1 from 05-01 15:00");
        List<String> legend = new ArrayList<>();
        for (Node t :
                nodes(doc, "//section[@id='timeline']//*[local-name()='text'][@class='legend']")) {
            legend.add(text(t));
        }
        assertThat(legend)
                .containsExactly(
                        "layer-download (3)", "repository-exposed (1)", "policy-deleted (1)");

        List<List<String>> principals = rows(doc, "top", "Principals");
        assertThat(principals).hasSize(2);
        assertThat(principals.get(0).get(0)).startsWith("role/Admin" + ACCOUNT);
        assertThat(principals.get(0).get(1)).isEqualTo("4" + "80.0%"); // count, share below
        assertThat(principals.get(0).get(2)).isEqualTo("MEDIUM");
        assertThat(rows(doc, "top", "Source IPs").get(0).get(0))
                .startsWith(CloudTrailRecords.SOURCE_IP);
        assertThat(rows(doc, "top", "Repositories"))
                .extracting(r -> r.get(0).substring(0, 3))
                .containsExactly("app", "web");

        assertThat(findingRows(doc))
                .containsExactly(
                        "CRITICAL exposed",
                        "MEDIUM deleted",
                        "LOW download 1",
                        "LOW download 2",
                        "LOW download 3");
        assertThat(text(nodes(doc, "//section[@id='findings']/p").get(0)))
                .startsWith("All 5 findings");
        // ATT&CK per row: the ids under the rule (name and tactic as tooltip), the names in the
        // details.
        assertThat(rows(doc, "findings", null))
                .extracting(r -> r.get(1))
                .containsExactly(
                        "repository-exposedT1537",
                        "policy-deletedT1562.001",
                        "layer-downloadT1530",
                        "layer-downloadT1530",
                        "layer-downloadT1530");
        assertThat(nodes(doc, "//section[@id='findings']//td[2]//span/@title"))
                .extracting(Node::getNodeValue)
                .contains(
                        "T1537 Transfer Data to Cloud Account (Exfiltration)",
                        "T1562.001 Impair Defenses: Disable or Modify Tools (Defense Evasion)");
        assertThat(nodes(doc, "//section[@id='findings']//dt[.='ATT&CK']/following-sibling::dd[1]"))
                .extracting(BacktestReportTest::text)
                .contains("T1530 Data from Cloud Storage (Collection)");

        assertThat(rows(doc, "dead-letters", "By reason"))
                .containsExactly(
                        List.of("not JSON or gzip", "2"),
                        List.of("unrecognised JSON object (fields: a)", "1"));
        assertThat(rows(doc, "dead-letters", "First 3 of 3"))
                .extracting(r -> r.get(0))
                .containsExactly("a.json", "b.json", "c.json");

        List<List<String>> rules = rows(doc, "rules", "Rules");
        assertThat(rules).hasSize(RuleCatalog.rules().size());
        assertThat(rules)
                .anySatisfy(
                        r ->
                                assertThat(r)
                                        .startsWith("layer-download-burst", "yes", "MEDIUM")
                                        .anySatisfy(
                                                c ->
                                                        assertThat(c)
                                                                .contains("minDistinctLayers: 50")
                                                                .contains("window: 10m")));
        assertThat(rules)
                .anySatisfy(
                        r ->
                                assertThat(r)
                                        .startsWith(
                                                "layer-download-burst",
                                                "yes",
                                                "MEDIUM",
                                                "T1530 Data from Cloud Storage (Collection)T1537 Transfer Data to Cloud Account (Exfiltration)"));
    }

    /** A findings.jsonl line written before findings carried their techniques shows its rule's. */
    @Test
    void linesWithoutTechniquesShowTheRulesOwn(@TempDir Path dir) throws Exception {
        Finding f =
                finding(
                        RuleCatalog.ACCESS_DENIED_BURST,
                        Severity.MEDIUM,
                        download("app", TIME),
                        "denied");
        ObjectNode old = (ObjectNode) Json.tree(Json.write(f));
        old.remove("attack");
        write(dir, List.of(), List.of(), null);
        Files.writeString(dir.resolve(Replay.FINDINGS), old + "\n");

        Document doc = parse(BacktestReport.render(dir, RULES, null, null, 10, 10));

        assertThat(rows(doc, "findings", null))
                .extracting(r -> r.get(1))
                .containsExactly("access-denied-burstT1613, T1580");
    }

    @Test
    void hostileDataIsTextEverywhere(@TempDir Path dir) throws Exception {
        String policy =
                CloudTrailRecords.policyDocument(
                        "{\"Sid\":\""
                                + SCRIPT
                                + IMG.replace("\"", "\\\"")
                                + "\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:BatchGetImage\"}");
        Finding exposed =
                finding(
                        RuleCatalog.REPOSITORY_EXPOSED,
                        Severity.CRITICAL,
                        record("SetRepositoryPolicy")
                                .iamUser(ACCOUNT, IMG)
                                .userAgent(SCRIPT)
                                .repositoryName(IMG)
                                .policyText(policy),
                        "exposed " + IMG);
        Finding download =
                finding(
                        RuleCatalog.LAYER_DOWNLOAD,
                        Severity.LOW,
                        download(SCRIPT, TIME).sourceIp(IMG),
                        SCRIPT);
        // A finding file is data too: an unknown rule id and severity reach the chart and the
        // badges.
        Finding odd =
                new Finding(
                        SCRIPT,
                        SCRIPT,
                        null,
                        IMG,
                        SCRIPT,
                        ACCOUNT,
                        "us-east-1",
                        null,
                        null,
                        null,
                        IMG,
                        TIME,
                        TIME,
                        1,
                        "k",
                        List.of(),
                        Map.of(IMG, SCRIPT),
                        List.of(),
                        List.of(new AttackTechnique(SCRIPT, IMG, SCRIPT, IMG)));
        String oddLine =
                Json.write(odd)
                        .replace(
                                "\"ruleId\"",
                                "\"severity\":\"" + IMG.replace("\"", "\\\"") + "\",\"ruleId\"");
        write(
                dir,
                List.of(exposed, download),
                List.of(DeadLetter.of(IMG, "decode", "malformed: " + IMG, SCRIPT)),
                summary(2, 2, 1, 0));
        Files.writeString(dir.resolve(Replay.FINDINGS), oddLine + "\n", StandardOpenOption.APPEND);
        RulesConfig rules =
                RulesConfigLoader.fromYaml(
                        "allowlist:\n  principals: ['arn:aws:iam::*:role/"
                                + SCRIPT
                                + "']\nrules:\n  layer-download:\n    allowlist:\n      repositories: ['"
                                + IMG.replace("'", "''")
                                + "']\n",
                        "hostile.yaml");

        String html = BacktestReport.render(dir, rules, null, null, 200, 20);

        assertThat(html)
                .doesNotContain(SCRIPT)
                .doesNotContain(IMG)
                .doesNotContain("<img")
                .contains(SCRIPT_ESCAPED)
                .contains(IMG_ESCAPED);
        Document doc = parse(html);
        assertThat(
                        nodes(
                                doc,
                                "//*[local-name()='script' or local-name()='img' or local-name()='iframe' "
                                        + "or local-name()='object' or local-name()='embed' or local-name()='link' or local-name()='form']"))
                .isEmpty();
        assertThat(nodes(doc, "//@*[starts-with(translate(local-name(), 'ON', 'on'), 'on')]"))
                .isEmpty();
        // Text where it belongs: the table, the chart legend (SVG), tooltips (attributes), rules,
        // dead letters.
        assertThat(nodes(doc, "//section[@id='findings']//td"))
                .extracting(BacktestReportTest::text)
                .contains(SCRIPT + ACCOUNT, IMG, IMG + ACCOUNT, "user/" + IMG + ACCOUNT);
        assertThat(nodes(doc, "//section[@id='findings']//dd"))
                .extracting(BacktestReportTest::text)
                .contains(SCRIPT)
                .anySatisfy(
                        dd ->
                                assertThat(dd)
                                        .contains("policyText")
                                        .contains(SCRIPT)
                                        .contains("<img src=x onerror=alert(1)>"));
        assertThat(nodes(doc, "//*[local-name()='text'][@class='legend']"))
                .extracting(BacktestReportTest::text)
                .contains(SCRIPT + " (1)");
        assertThat(nodes(doc, "//section[@id='top']//div/@title"))
                .extracting(Node::getNodeValue)
                .contains("arn:aws:iam::" + ACCOUNT + ":user/" + IMG, SCRIPT + " " + ACCOUNT, IMG);
        assertThat(nodes(doc, "//section[@id='findings']//td[2]//span[@title]"))
                .extracting(BacktestReportTest::text)
                .contains(SCRIPT);
        assertThat(nodes(doc, "//section[@id='findings']//td[2]//span/@title"))
                .extracting(Node::getNodeValue)
                .contains(SCRIPT + " " + IMG + " (" + IMG + ")");
        assertThat(nodes(doc, "//section[@id='findings']//span[starts-with(@class,'sev')]"))
                .extracting(n -> ((Element) n).getAttribute("class") + "|" + text(n))
                .contains("sev|" + IMG);
        assertThat(nodes(doc, "//section[@id='rules']//code"))
                .extracting(BacktestReportTest::text)
                .contains("arn:aws:iam::*:role/" + SCRIPT, IMG);
        assertThat(nodes(doc, "//section[@id='dead-letters']//td"))
                .extracting(BacktestReportTest::text)
                .contains(IMG, "malformed: " + IMG, SCRIPT);
        assertNothingExternal(html);
    }

    /**
     * No reference that would load anything: no remote src/href, @import or url(), hrefs are
     * fragments, CSP on.
     */
    static void assertNothingExternal(String html) throws Exception {
        assertThat(
                        Pattern.compile(
                                        "(?i)(src|href|xlink:href|action)\\s*=\\s*[\"']?\\s*(https?:)?//")
                                .matcher(html)
                                .find())
                .as("remote src/href")
                .isFalse();
        assertThat(html)
                .doesNotContainIgnoringCase("@import")
                .doesNotContainIgnoringCase("url(")
                .doesNotContainIgnoringCase("<link")
                .doesNotContainIgnoringCase("<script");
        Document doc = parse(html);
        assertThat(nodes(doc, "//@href"))
                .extracting(Node::getNodeValue)
                .allSatisfy(h -> assertThat(h).startsWith("#"));
        assertThat(nodes(doc, "//@src")).isEmpty();
        assertThat(nodes(doc, "//meta[@http-equiv='Content-Security-Policy']/@content"))
                .extracting(Node::getNodeValue)
                .singleElement()
                .satisfies(c -> assertThat(c).startsWith("default-src 'none';"));
    }

    @Test
    void manyFindingsShowTheFirstBySeverityCountingTheRest(@TempDir Path dir) throws Exception {
        List<Finding> findings = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            Severity s = i % 500 == 7 ? Severity.CRITICAL : Severity.LOW;
            findings.add(
                    finding(
                            s == Severity.CRITICAL
                                    ? RuleCatalog.REPOSITORY_EXPOSED
                                    : RuleCatalog.LAYER_DOWNLOAD,
                            s,
                            download("repo-" + (i % 40), TIME.minusSeconds(60L * i))
                                    .assumedRole(ACCOUNT, "R" + (i % 7), "s"),
                            "f" + i));
        }
        write(dir, findings, List.of(), summary(3000, 3000, 0, 0));

        Document doc = parse(BacktestReport.render(dir, RULES, null, null, 25, 20));

        assertThat(text(nodes(doc, "//section[@id='findings']/p").get(0)))
                .startsWith(
                        "Showing the first 25 of 3,000 findings (2,975 not shown; all are in findings.jsonl)");
        List<List<String>> rows = rows(doc, "findings", null);
        assertThat(rows).hasSize(25);
        // The 6 CRITICAL first (oldest first: i = 2507, 2007, ...), then the oldest LOW ones (i =
        // 2999, 2998, ...).
        assertThat(findingRows(doc))
                .startsWith(
                        "CRITICAL f2507",
                        "CRITICAL f2007",
                        "CRITICAL f1507",
                        "CRITICAL f1007",
                        "CRITICAL f507",
                        "CRITICAL f7",
                        "LOW f2999",
                        "LOW f2998");
        assertThat(rows(doc, "top", "Principals")).hasSize(7);
        assertThat(rows(doc, "top", "Repositories")).hasSize(10);
        // 3000 minutes back: a 1-hour bucket.
        assertThat(text(nodes(doc, "//section[@id='timeline']/p").get(0))).contains("per 1 hour");
    }

    @Test
    void brokenLinesAreLeftOutWithANote(@TempDir Path dir) throws Exception {
        write(
                dir,
                List.of(
                        finding(
                                RuleCatalog.LAYER_DOWNLOAD,
                                Severity.LOW,
                                download("app", TIME),
                                "ok")),
                List.of(),
                null);
        Files.writeString(
                dir.resolve(Replay.FINDINGS), "{not json\n[1,2]\n", StandardOpenOption.APPEND);
        Files.writeString(
                dir.resolve(Replay.DEAD_LETTERS),
                Json.write(DeadLetter.of("x.json", "decode", "not JSON or gzip", "x"))
                        + "\nnope\n");

        Document doc =
                parse(
                        BacktestReport.render(
                                dir, RULES, Instant.parse("2024-05-01T00:00:00Z"), null, 10, 10));

        assertThat(nodes(doc, "//p[@class='warn']"))
                .extracting(BacktestReportTest::text)
                .containsExactly(
                        "Not findings, left out: 2 lines of findings.jsonl.",
                        "Not dead letters, left out: 1 line of dead-letter.jsonl.");
        assertThat(rows(doc, "findings", null)).hasSize(1);
        // Without summary.json the event counts are unknown; the dead letters are counted from
        // their file.
        assertThat(nodes(doc, "//div[@class='card']"))
                .extracting(BacktestReportTest::text)
                .contains("Events read\u2014", "Findings1", "Dead-lettered1");
        assertThat(nodes(doc, "//section[@id='summary']/p"))
                .extracting(BacktestReportTest::text)
                .anySatisfy(p -> assertThat(p).contains("No summary.json"))
                .anySatisfy(
                        p -> assertThat(p).contains("Replay window: 2024-05-01T00:00:00Z to end"));
    }

    @Test
    void reportCommandWritesTheFileOrNamesWhatIsMissing(@TempDir Path dir) throws Exception {
        write(
                dir,
                List.of(
                        finding(
                                RuleCatalog.LAYER_DOWNLOAD,
                                Severity.LOW,
                                download("app", TIME),
                                "ok")),
                List.of(),
                summary(1, 1, 0, 0));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                LayerWatchCli.execute(
                        new PrintWriter(out), new PrintWriter(err), "report", dir.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString().strip()).isEqualTo("report: " + dir.resolve("report.html"));
        assertThat(Files.readString(dir.resolve("report.html")))
                .startsWith("<!DOCTYPE html>")
                .contains("All 1 findings");

        Path empty = Files.createDirectory(dir.resolve("empty"));
        StringWriter missing = new StringWriter();
        code =
                LayerWatchCli.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(missing),
                        "report",
                        empty.toString());
        assertThat(code).isEqualTo(1);
        assertThat(missing.toString())
                .startsWith("error: " + empty.resolve("findings.jsonl") + ": not found")
                .doesNotContain("\tat ");

        StringWriter help = new StringWriter();
        LayerWatchCli.execute(
                new PrintWriter(help), new PrintWriter(new StringWriter()), "replay", "--help");
        assertThat(help.toString().replaceAll("\\s+", " "))
                .contains("--report")
                .contains("Also write DIR/report.html, a self-contained backtest report.");
    }

    @Test
    void topCounterFindsHeavyHittersWithExactCountsInBoundedMemory() {
        TopCounter c = new TopCounter(10);
        List<String> stream = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            stream.add("once-" + i);
            if (i % 4 == 0) {
                stream.add("a");
            }
            if (i % 6 == 0) {
                stream.add("b");
            }
        }
        // 1417 values, capacity 10: everything seen more than 1417 / 11 = 128 times survives the
        // first pass.
        stream.forEach(c::offer);
        stream.forEach(k -> c.tally(k, Severity.HIGH.ordinal(), "r"));
        assertThat(c.top(2))
                .extracting(e -> e.key + "=" + e.count)
                .containsExactly("a=250", "b=167");
        assertThat(c.missableBelow()).isEqualTo(stream.size() / 11);

        TopCounter small = new TopCounter(10);
        List.of("x", "y", "x").forEach(small::offer);
        List.of("x", "y", "x").forEach(k -> small.tally(k, -1, null));
        assertThat(small.top(5))
                .extracting(e -> e.key + "=" + e.count)
                .containsExactly("x=2", "y=1");
        assertThat(small.missableBelow()).isZero();
    }

    @Test
    void timelineBucketShowsTheSpanInAtMostSixtyBars() {
        assertThat(Timeline.bucketFor(Duration.ZERO)).isEqualTo(Duration.ofMinutes(1));
        assertThat(Timeline.bucketFor(Duration.ofHours(6))).isEqualTo(Duration.ofMinutes(15));
        assertThat(Timeline.bucketFor(Duration.ofDays(30))).isEqualTo(Duration.ofDays(1));
        assertThat(Timeline.bucketFor(Duration.ofDays(3650))).isEqualTo(Duration.ofDays(90));
        assertThat(Timeline.bucketFor(Duration.ofDays(365 * 30))).isEqualTo(Duration.ofDays(365));
        for (long minutes = 0; minutes < 60L * 24 * 365 * 30; minutes = minutes * 3 / 2 + 7) {
            Instant first = Instant.parse("2024-02-29T23:59:59Z");
            Timeline t = new Timeline(first, first.plus(Duration.ofMinutes(minutes)), List.of());
            assertThat(t.buckets()).as("%d minutes", minutes).isBetween(1, Timeline.MAX_BUCKETS);
        }
        assertThat(Timeline.niceStep(1)).isEqualTo(1);
        assertThat(Timeline.niceStep(9)).isEqualTo(5);
        assertThat(Timeline.niceStep(1234)).isEqualTo(500);
    }

    @Test
    void incidentsOnTopWithTheirTimelineAndMembersLinkedToTheirRows(@TempDir Path dir)
            throws Exception {
        Finding pulled =
                mallory(
                        RuleCatalog.UNTRUSTED_NETWORK,
                        Severity.HIGH,
                        "BatchGetImage",
                        "payments-api",
                        0,
                        "pulled from an untrusted network");
        Finding exposed =
                mallory(
                        RuleCatalog.REPOSITORY_EXPOSED,
                        Severity.CRITICAL,
                        "SetRepositoryPolicy",
                        "payments-api",
                        10,
                        "made public");
        Finding deleted =
                mallory(
                        RuleCatalog.POLICY_DELETED,
                        Severity.MEDIUM,
                        "DeleteRepositoryPolicy",
                        "web",
                        60,
                        "policy deleted");
        Finding earlier =
                incident(
                        "a1b2c3",
                        Severity.CRITICAL,
                        List.of(pulled, exposed),
                        "pulled from payments-api from an untrusted network, then made payments-api public");
        Finding later =
                incident(
                        "a1b2c3",
                        Severity.CRITICAL,
                        List.of(pulled, exposed, deleted),
                        "pulled from payments-api from an untrusted network, then made payments-api public, then deleted the "
                                + "policy of web");
        Finding benign =
                finding(RuleCatalog.LAYER_DOWNLOAD, Severity.LOW, download("app", TIME), "benign");
        // The later version first: the report keeps the later by Finding.later, not by line order.
        write(
                dir,
                List.of(later, pulled, exposed, deleted.inIncident("a1b2c3"), earlier, benign),
                List.of(),
                null);

        // 4 table rows: both incident versions, exposed (CRITICAL), pulled (HIGH); not deleted
        // (MEDIUM).
        Document doc = parse(BacktestReport.render(dir, RULES, null, null, 4, 10));

        assertThat(attributes(doc, "//main/section/@id")).startsWith("incidents", "summary");
        assertThat(texts(doc, "//nav/a")).startsWith("Incidents", "Summary");
        assertThat(attributes(doc, "//section[@id='incidents']//div[@class='incident']/@id"))
                .containsExactly("incident-a1b2c3");
        assertThat(texts(doc, "//section[@id='incidents']/p[@class='note']"))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("1 incident, by severity"));
        assertThat(nodes(doc, "//table[@class='incident-index']")).isEmpty();
        assertThat(texts(doc, "//div[@id='incident-a1b2c3']/h3"))
                .containsExactly(
                        "CRITICAL Attack sequence by arn:aws:iam::"
                                + ACCOUNT
                                + ":role/developer (mallory)");

        Map<String, Node> kv = incidentRows(doc, "incident-a1b2c3");
        assertThat(kv.keySet())
                .containsExactly(
                        "Actor",
                        "Time",
                        "Severity",
                        "Story",
                        "Tactics",
                        "Rules",
                        "Source addresses",
                        "Repositories",
                        "Id");
        assertThat(text(kv.get("Actor")))
                .startsWith("role/developer" + ACCOUNT)
                .contains("session mallory");
        assertThat(text(kv.get("Time")))
                .isEqualTo(
                        "2024-05-01 12:00:00 to 2024-05-01 13:00:00 (1 h 0 min), 3 events, "
                                + "3 member findings");
        assertThat(text(kv.get("Story"))).isEqualTo(later.description());
        assertThat(texts(doc, "//div[@id='incident-a1b2c3']//tr[th='Tactics']/td/code"))
                .containsExactly(
                        "TA0001 Initial Access",
                        "TA0009 Collection",
                        "TA0010 Exfiltration",
                        "TA0005 Defense Evasion");
        assertThat(texts(doc, "//div[@id='incident-a1b2c3']//tr[th='Rules']/td//code"))
                .containsExactly("untrusted-network", "repository-exposed", "policy-deleted");
        assertThat(texts(doc, "//div[@id='incident-a1b2c3']//tr[th='Source addresses']/td/code"))
                .containsExactly("198.51.100.23");
        assertThat(texts(doc, "//div[@id='incident-a1b2c3']//tr[th='Repositories']/td/code"))
                .containsExactly("payments-api", "web");

        // The timeline: a lane per member in time order, rule colours, severity letters, tactics,
        // 15-minute ticks.
        String svg = "//div[@id='incident-a1b2c3']//*[local-name()='svg']";
        List<Node> bars = nodes(doc, svg + "/*[local-name()='rect'][starts-with(@class,'member')]");
        assertThat(bars)
                .extracting(b -> ((Element) b).getAttribute("fill"))
                .containsExactly(
                        RuleColors.of(RuleCatalog.UNTRUSTED_NETWORK),
                        RuleColors.of(RuleCatalog.REPOSITORY_EXPOSED),
                        RuleColors.of(RuleCatalog.POLICY_DELETED));
        assertThat(bars)
                .extracting(b -> ((Element) b).getAttribute("class"))
                .containsExactly("member sev-HIGH", "member sev-CRITICAL", "member sev-MEDIUM");
        List<Double> x =
                bars.stream()
                        .map(b -> Double.parseDouble(((Element) b).getAttribute("x")))
                        .toList();
        List<Double> y =
                bars.stream()
                        .map(b -> Double.parseDouble(((Element) b).getAttribute("y")))
                        .toList();
        assertThat(x.get(0)).isLessThan(x.get(1));
        assertThat(x.get(1)).isLessThan(x.get(2));
        // 10 of 60 minutes: the second bar a sixth of the way from the first to the last.
        assertThat((x.get(1) - x.get(0)) / (x.get(2) - x.get(0)))
                .isCloseTo(1 / 6.0, Offset.offset(0.02));
        assertThat(y.get(1) - y.get(0)).isEqualTo(y.get(2) - y.get(1)).isGreaterThanOrEqualTo(20);
        assertThat(texts(doc, svg + "/*[local-name()='rect']/*[local-name()='title']"))
                .first()
                .asString()
                .startsWith(
                        "HIGH untrusted-network: pulled from an untrusted network (2024-05-01T12:00:00Z");
        assertThat(texts(doc, svg + "//*[local-name()='text'][@class='sev-letter']"))
                .containsExactly("H", "C", "M");
        assertThat(texts(doc, svg + "//*[local-name()='text'][@class='legend']"))
                .containsExactly(
                        "untrusted-network \u00b7 payments-api",
                        "repository-exposed \u00b7 payments-api",
                        "policy-deleted \u00b7 web");
        assertThat(texts(doc, svg + "/*[local-name()='text'][@class='tactic']"))
                .containsExactly("Initial Access / Collection", "Exfiltration", "Defense Evasion");
        assertThat(texts(doc, svg + "/*[local-name()='text'][@class='tick']"))
                .containsExactly("12:00", "12:15", "12:30", "12:45", "13:00");

        // Members link to their rows in the findings table; the one not shown there says so.
        List<Node> memberCells =
                nodes(
                        doc,
                        "//div[@id='incident-a1b2c3']//table[@class='members']/tbody/tr/td[last()]");
        assertThat(memberCells)
                .extracting(BacktestReportTest::text)
                .containsExactly(
                        "pulled from an untrusted network",
                        "made public",
                        "policy deletednot among the findings table's rows");
        for (Finding m : List.of(pulled, exposed)) {
            assertThat(attributes(doc, "//table[@class='members']//a[.='" + m.title() + "']/@href"))
                    .containsExactly("#finding-" + m.id());
            assertThat(nodes(doc, "//section[@id='findings']//tr[@id='finding-" + m.id() + "']"))
                    .hasSize(1);
        }
        // ... and back: members and both versions of the incident link to it; one anchor per
        // finding id.
        assertThat(attributes(doc, "//section[@id='findings']//a/@href"))
                .containsOnly("#incident-a1b2c3")
                .hasSize(4);
        assertThat(texts(doc, "//section[@id='findings']//a"))
                .containsExactly(
                        "incident", "incident", "part of an incident", "part of an incident");
        assertThat(nodes(doc, "//section[@id='findings']//tr[@id='finding-a1b2c3']")).hasSize(1);

        // attack-sequence counts in the per-rule tables like any rule.
        assertThat(rows(doc, "summary", "By rule"))
                .contains(List.of("attack-sequence", "HIGH", "2", "33.3%"));
        assertThat(rows(doc, "rules", "Rules"))
                .anySatisfy(r -> assertThat(r).startsWith("attack-sequence", "yes", "HIGH"));
    }

    /**
     * Two findings of session s{@code i}: a HIGH untrusted pull at {@code at}, a MEDIUM policy
     * deletion a minute on.
     */
    static List<Finding> pair(int i, Instant at) {
        return List.of(
                finding(
                        RuleCatalog.UNTRUSTED_NETWORK,
                        Severity.HIGH,
                        download("r", at).assumedRole(ACCOUNT, "developer", "s" + i),
                        "a" + i),
                finding(
                        RuleCatalog.POLICY_DELETED,
                        Severity.MEDIUM,
                        record("DeleteRepositoryPolicy")
                                .assumedRole(ACCOUNT, "developer", "s" + i)
                                .repositoryName("r")
                                .time(at.plusSeconds(60)),
                        "b" + i));
    }

    @Test
    void manyIncidentsShowTheHighestCountingTheRest(@TempDir Path dir) throws Exception {
        List<Finding> findings = new ArrayList<>();
        Finding raisedLater = null;
        for (int i = 0; i < 8; i++) {
            List<Finding> pair = pair(i, TIME.plusSeconds(3600L * i));
            findings.add(
                    incident(
                            "inc" + i,
                            i % 3 == 0 ? Severity.CRITICAL : Severity.HIGH,
                            pair,
                            "story " + i));
            if (i == 1) {
                // A later version of the oldest HIGH one: dropped from the 5 kept first, it comes
                // back on top.
                Finding c =
                        finding(
                                RuleCatalog.REPOSITORY_EXPOSED,
                                Severity.CRITICAL,
                                record("SetRepositoryPolicy")
                                        .assumedRole(ACCOUNT, "developer", "s1")
                                        .repositoryName("r")
                                        .time(TIME.plusSeconds(36_000)),
                                "c1");
                raisedLater =
                        incident(
                                "inc1",
                                Severity.CRITICAL,
                                List.of(pair.get(0), pair.get(1), c),
                                "story 1, raised");
            }
        }
        findings.add(raisedLater);
        write(dir, findings, List.of(), null);

        Document doc = parse(BacktestReport.render(dir, RULES, null, null, 200, 10, 5));

        // CRITICAL first (most recent first: inc1's later version ends last), then HIGH, most
        // recent first.
        assertThat(attributes(doc, "//div[@class='incident']/@id"))
                .containsExactly(
                        "incident-inc1",
                        "incident-inc6",
                        "incident-inc3",
                        "incident-inc0",
                        "incident-inc7");
        assertThat(texts(doc, "//div[@id='incident-inc1']//tr[th='Story']/td"))
                .containsExactly("story 1, raised");
        assertThat(texts(doc, "//section[@id='incidents']/p[@class='note']"))
                .singleElement()
                .satisfies(
                        p ->
                                assertThat(p)
                                        .startsWith(
                                                "The 5 highest of 8 incidents (3 more, not shown: all are in findings.jsonl"));
        assertThat(attributes(doc, "//table[@class='incident-index']//a/@href"))
                .containsExactly(
                        "#incident-inc1",
                        "#incident-inc6",
                        "#incident-inc3",
                        "#incident-inc0",
                        "#incident-inc7");
        assertThat(rows(doc, "incidents", null).get(0))
                .containsExactly(
                        "CRITICAL",
                        "arn:aws:iam::" + ACCOUNT + ":role/developer (s1)",
                        "2024-05-01 13:00:00",
                        "9 h 0 min",
                        "TA0001 Initial Access \u2192 TA0009 Collection \u2192 TA0005 Defense Evasion \u2192 TA0010 Exfiltration",
                        "3");
    }

    @Test
    void incidentCountIsBoundedWithANoteBeyondIt() {
        IncidentScan scan = new IncidentScan(2, 3);
        for (int i = 0; i < 5; i++) {
            String line =
                    Json.write(
                            incident(
                                    "i" + i,
                                    Severity.HIGH,
                                    pair(i, TIME.plusSeconds(60L * i)),
                                    "s"));
            scan.offer(line);
            scan.offer(line);
        }
        scan.offer("{\"ruleId\":\"attack-sequence\"}");
        assertThat(scan.shown()).extracting(e -> e.finding().id()).containsExactly("i4", "i3");
        assertThat(scan.total()).isEqualTo(3);
        assertThat(scan.overflow).isTrue();
        assertThat(scan.unreadable).isEqualTo(1);
        StringBuilder h = new StringBuilder();
        IncidentsSection.render(h, scan, scan.shown(), Set.of());
        assertThat(h.toString())
                .contains("The 2 highest of over 3 incidents (over 1 more, not shown");
    }

    @Test
    void timelineLanesStayReadableFromOneMemberToForty() throws Exception {
        List<Incident.Member> one =
                List.of(
                        new Incident.Member(
                                "m0",
                                RuleCatalog.REPOSITORY_EXPOSED,
                                Severity.CRITICAL,
                                "t",
                                TIME,
                                TIME,
                                1,
                                "r",
                                null));
        Document single = parse(IncidentTimeline.svg(incidentOf(one), "c"));
        List<Node> bar = nodes(single, "//*[local-name()='rect'][starts-with(@class,'member')]");
        assertThat(bar).hasSize(1);
        assertThat(Double.parseDouble(((Element) bar.get(0)).getAttribute("width")))
                .isGreaterThanOrEqualTo(6);
        assertThat(texts(single, "//*[local-name()='text'][@class='tick']")).isNotEmpty();

        for (int n : List.of(40, 45)) {
            List<Incident.Member> members = new ArrayList<>();
            List<String> rules =
                    List.of(
                            RuleCatalog.UNTRUSTED_NETWORK,
                            RuleCatalog.ENDGAME_IOC,
                            RuleCatalog.POLICY_DELETED);
            for (int i = 0; i < n; i++) {
                members.add(
                        new Incident.Member(
                                "m" + i,
                                rules.get(i % 3),
                                Severity.values()[i % 5],
                                "t" + i,
                                TIME.plusSeconds(60L * i),
                                TIME.plusSeconds(60L * i + 600),
                                2,
                                "r" + i,
                                "198.51.100." + i));
            }
            Document doc = parse(IncidentTimeline.svg(incidentOf(members), "c"));
            List<Node> bars = nodes(doc, "//*[local-name()='rect'][starts-with(@class,'member')]");
            assertThat(bars).as("%d members", n).hasSize(n);
            List<String> lanes =
                    texts(doc, "//*[local-name()='g']/*[local-name()='text'][@class='legend']");
            if (n <= IncidentTimeline.MEMBER_LANES) {
                assertThat(lanes)
                        .hasSize(n)
                        .startsWith("untrusted-network \u00b7 r0", "endgame-ioc \u00b7 r1");
                List<Double> y =
                        bars.stream()
                                .map(b -> Double.parseDouble(((Element) b).getAttribute("y")))
                                .toList();
                for (int i = 1; i < n; i++) {
                    assertThat(y.get(i) - y.get(i - 1))
                            .as("lane %d below lane %d", i, i - 1)
                            .isGreaterThanOrEqualTo(20);
                }
            } else {
                // Over 40 members: a lane per rule, each bar on its rule's lane, the lane's highest
                // severity.
                assertThat(lanes)
                        .containsExactly(
                                "untrusted-network (15)",
                                "endgame-ioc (15)",
                                "policy-deleted (15)");
                assertThat(texts(doc, "//*[local-name()='text'][@class='sev-letter']"))
                        .containsExactly("C", "C", "C");
                assertThat(bars.stream().map(b -> ((Element) b).getAttribute("y")).distinct())
                        .hasSize(3);
            }
        }
        assertThat(IncidentTimeline.step(0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(IncidentTimeline.step(Duration.ofHours(1).toMillis()))
                .isEqualTo(Duration.ofMinutes(15));
        assertThat(IncidentTimeline.step(Duration.ofDays(3).toMillis()))
                .isEqualTo(Duration.ofHours(12));
    }

    static Incident incidentOf(List<Incident.Member> members) {
        return new Incident(
                members, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), "s",
                false);
    }

    /**
     * Writes to {@code dir} an incident whose texts are hostile and its two member findings; the
     * members.
     */
    private static List<Finding> writeHostileIncident(Path dir) throws Exception {
        Finding member =
                finding(
                        RuleCatalog.UNTRUSTED_NETWORK,
                        Severity.HIGH,
                        download(IMG, TIME).iamUser(ACCOUNT, IMG).sourceIp(IMG),
                        IMG);
        Finding other =
                finding(
                        RuleCatalog.POLICY_DELETED,
                        Severity.LOW,
                        record("DeleteRepositoryPolicy")
                                .iamUser(ACCOUNT, IMG)
                                .repositoryName(SCRIPT)
                                .time(TIME.plusSeconds(60)),
                        SCRIPT);
        Finding hostile = incident(IMG, Severity.CRITICAL, List.of(member, other), SCRIPT + IMG);
        write(dir, List.of(member, other, hostile), List.of(), null);
        return List.of(member, other);
    }

    @Test
    void hostileIncidentIsText(@TempDir Path dir) throws Exception {
        writeHostileIncident(dir);

        String html = BacktestReport.render(dir, RULES, null, null, 200, 10);

        assertThat(html)
                .doesNotContain(SCRIPT)
                .doesNotContain(IMG)
                .contains(SCRIPT_ESCAPED)
                .contains(IMG_ESCAPED);
        assertNothingExternal(html);
        Document doc = parse(html);
        assertThat(nodes(doc, "//*[local-name()='script' or local-name()='img']")).isEmpty();
        assertThat(nodes(doc, "//@*[starts-with(translate(local-name(), 'ON', 'on'), 'on')]"))
                .isEmpty();
        List<String> ids = attributes(doc, "//div[@class='incident']/@id");
        assertThat(ids)
                .singleElement()
                .satisfies(id -> assertThat(id).matches("incident-h[0-9a-f]{24}"));
        assertThat(attributes(doc, "//section[@id='findings']//a/@href"))
                .contains("#" + ids.get(0));
        assertThat(texts(doc, "//div[@class='incident']//tr[th='Story']/td"))
                .containsExactly(SCRIPT + IMG);
        assertThat(texts(doc, "//div[@class='incident']//tr[th='Source addresses']/td/code"))
                .containsExactly(IMG, CloudTrailRecords.SOURCE_IP);
        assertThat(texts(doc, "//div[@class='incident']//*[local-name()='text'][@class='legend']"))
                .contains(Html.cut("untrusted-network \u00b7 " + IMG, 34));
        assertThat(
                        texts(
                                doc,
                                "//div[@class='incident']//*[local-name()='g']/*[local-name()='title']"))
                .contains(IMG, SCRIPT);
    }

    @Test
    void brokenIncidentsAreLeftOutWithANote(@TempDir Path dir) throws Exception {
        List<Finding> members = writeHostileIncident(dir);
        // An incident whose details are no incident: left out of the section, said so, still a
        // finding row.
        String broken =
                Json.write(incident("broken", Severity.HIGH, members, "x"))
                        .replaceFirst("\"members\":\\[", "\"members\":[7,");
        Files.writeString(dir.resolve(Replay.FINDINGS), broken + "\n", StandardOpenOption.APPEND);

        Document doc = parse(BacktestReport.render(dir, RULES, null, null, 200, 10));

        assertThat(texts(doc, "//section[@id='incidents']/p[@class='warn']"))
                .containsExactly(
                        "Incident findings whose "
                                + "details could not be read, left out here (they are in the findings table): 1 line.");
        assertThat(nodes(doc, "//section[@id='findings']//tr[@id='finding-broken']")).hasSize(1);
    }
}
