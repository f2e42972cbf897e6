package io.layerwatch.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.layerwatch.cli.LayerWatchCli;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.RequiredTool;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report in a real browser: a replay of a bundled trail with hostile fields (user agent,
 * repository, principal, policy text, undecodable lines), rendered by Debian's Chromium headless.
 * .ci/run installs it (scripts/chromium.sh); without it this test fails in CI and is skipped
 * elsewhere (RequiredTool).
 */
class ReportBrowserIT {

    static final String[] FLAGS = {
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage"
    };

    /**
     * Start tags as Chromium serialises them (attribute values always in double quotes, " as
     * &quot;).
     */
    static final Pattern TAG =
            Pattern.compile("<([a-zA-Z][a-zA-Z0-9-]*)((?:\\s+[^\\s=>/]+(?:=\"[^\"]*\")?)*)\\s*/?>");

    static final Pattern ATTRIBUTE = Pattern.compile("\\s+([^\\s=>/]+)(?:=\"[^\"]*\")?");

    /** Every element and attribute the report writes: anything else in the DOM was injected. */
    static final Set<String> REPORT_ELEMENTS =
            Set.of(
                    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3",
                    "p", "nav", "a", "main", "section", "footer", "div", "span", "strong", "code",
                    "pre", "table", "thead", "tbody", "tr", "th", "td", "details", "summary", "dl",
                    "dt", "dd", "svg", "g", "rect", "line", "text");

    static final Set<String> REPORT_ATTRIBUTES =
            Set.of(
                    "lang",
                    "charset",
                    "http-equiv",
                    "content",
                    "name",
                    "href",
                    "id",
                    "class",
                    "style",
                    "title",
                    "colspan",
                    "scope",
                    "viewbox",
                    "width",
                    "height",
                    "role",
                    "aria-labelledby",
                    "x",
                    "y",
                    "x1",
                    "y1",
                    "x2",
                    "y2",
                    "rx",
                    "fill",
                    "stroke",
                    "stroke-width",
                    "text-anchor");

    @Test
    void chromiumRendersTheHostileReplayAsTextWithNoInjectedElement(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tmp) throws Exception {
        String chromium = chromium();
        Path input = tmp.resolve("hostile-trail.jsonl");
        try (InputStream in = getClass().getResourceAsStream("/report/hostile-trail.jsonl")) {
            Files.copy(in, input);
        }
        Path out = tmp.resolve("out");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int code =
                LayerWatchCli.execute(
                        new PrintWriter(stdout),
                        new PrintWriter(stderr),
                        "replay",
                        "--report",
                        "--out",
                        out.toString(),
                        input.toString());
        assertThat(code).as(stderr.toString()).isZero();
        Path report = out.resolve(BacktestReport.FILE);
        assertThat(stdout.toString()).contains("report: " + report).contains("dead-lettered: 2");
        String uri = report.toUri().toString();

        Path png = tmp.resolve("report.png");
        run(chromium, tmp, "shot", "--screenshot=" + png, "--window-size=1280,2000", uri);
        assertThat(png).exists();
        assertThat(Files.size(png)).as("PNG bytes").isGreaterThan(20_000);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1280);
        assertThat(image.getHeight()).isEqualTo(2000);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                colours.add(image.getRGB(x, y) & 0xFFFFFF);
            }
        }
        // Text, badges, chart colours and anti-aliasing: hundreds of colours; a blank page has one.
        assertThat(colours.size()).as("distinct colours").isGreaterThan(200);
        assertThat(image.getRGB(4, 4) & 0xFFFFFF)
                .as("the header band's colour")
                .isEqualTo(0x0d1b2a);

        String dom = run(chromium, tmp, "dom", "--dump-dom", uri);
        Path domFile = tmp.resolve("dom.out");
        // Short failure messages: the DOM stays in the temp dir of a failed test (dom.out), not in
        // the log.
        assertThat(count(dom, "<section id=")).as("sections").isEqualTo(7);
        // The hostile principal's download and exposure are one incident: its section renders them
        // as text too.
        assertThat(count(dom, "<section id=\"incidents\"")).as("incidents section").isEqualTo(1);
        assertThat(dom)
                .as("the DOM (%s)", domFile)
                .contains("Attack sequence by")
                .doesNotContain("No incidents: ");
        for (String text :
                List.of(
                        "<h1>LayerWatch backtest report</h1>",
                        "<svg",
                        // The hostile strings are there as text (the serialiser escapes < > & in
                        // text) ...
                        "&lt;script&gt;alert(1)&lt;/script&gt;",
                        "\"&gt;&lt;img src=x onerror=alert(1)&gt;",
                        "user/\"&gt;&lt;img src=x onerror=alert(1)&gt;")) {
            assertThat(dom.contains(text)).as("the DOM (%s) has %s", domFile, text).isTrue();
        }
        // ... and became no element: no script at all, no img, no event handler attribute.
        for (String markup : List.of("<script", "<img", "<iframe")) {
            assertThat(dom.toLowerCase().contains(markup))
                    .as("the DOM (%s) has %s", domFile, markup)
                    .isFalse();
        }
        // The evidence holds the policy text with the hostile Sid, as text in a <pre>.
        assertThat(
                        Pattern.compile(
                                        "<pre>[^<]*policyText[^<]*&lt;script&gt;alert\\(1\\)&lt;/script&gt;")
                                .matcher(dom)
                                .find())
                .as("the policy text in the evidence (%s)", domFile)
                .isTrue();
        assertOnlyReportMarkup(dom);
    }

    /**
     * A report with one incident of 12 members by a hostile principal: the incidents section is on
     * top, its timeline is drawn in the rules' colours, the hostile strings are text, and nothing
     * was injected.
     */
    @Test
    void chromiumRendersAnIncidentWithItsTimelineOnTop(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tmp) throws Exception {
        String chromium = chromium();
        Path out = tmp.resolve("out");
        List<String> rules =
                List.of(
                        RuleCatalog.UNTRUSTED_NETWORK,
                        RuleCatalog.CREDENTIAL_NETWORK_HOP,
                        RuleCatalog.REPOSITORY_EXPOSED,
                        RuleCatalog.ENDGAME_IOC,
                        RuleCatalog.POLICY_DELETED);
        List<Finding> members = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String rule = rules.get(i % rules.size());
            members.add(
                    BacktestReportTest.finding(
                            rule,
                            i % 4 == 0 ? Severity.CRITICAL : Severity.HIGH,
                            CloudTrailRecords.record("SetRepositoryPolicy")
                                    .assumedRole(
                                            CloudTrailRecords.ACCOUNT,
                                            BacktestReportTest.IMG,
                                            BacktestReportTest.SCRIPT)
                                    .sourceIp("198.51.100.23")
                                    .repositoryName("payments-api")
                                    .time(CloudTrailRecords.TIME.plusSeconds(600L * i)),
                            "step " + i + " " + BacktestReportTest.SCRIPT));
        }
        Finding incident =
                BacktestReportTest.incident(
                        "0f1e2d3c",
                        Severity.CRITICAL,
                        members,
                        "pulled from payments-api, then " + BacktestReportTest.SCRIPT);
        List<Finding> findings = new ArrayList<>(members);
        findings.add(incident);
        BacktestReportTest.write(out, findings, List.of(), null);
        int code =
                LayerWatchCli.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(new StringWriter()),
                        "report",
                        out.toString());
        assertThat(code).isZero();
        String uri = out.resolve(BacktestReport.FILE).toUri().toString();

        Path png = tmp.resolve("incident.png");
        run(chromium, tmp, "shot", "--screenshot=" + png, "--window-size=1280,1400", uri);
        BufferedImage image = ImageIO.read(png.toFile());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                colours.add(image.getRGB(x, y) & 0xFFFFFF);
            }
        }
        // The first 1400 pixels hold the incident (the findings table is further down): its bars
        // are drawn.
        for (String rule : rules) {
            assertThat(colours)
                    .as("the colour of %s's bars (%s)", rule, png)
                    .contains(Integer.parseInt(RuleColors.of(rule).substring(1), 16));
        }

        String dom = run(chromium, tmp, "dom", "--dump-dom", uri);
        Path domFile = tmp.resolve("dom.out");
        assertThat(dom.indexOf("<section id=\"incidents\">"))
                .as("incidents first (%s)", domFile)
                .isPositive()
                .isLessThan(dom.indexOf("<section id=\"summary\">"));
        assertThat(count(dom, "<rect class=\"member "))
                .as("member bars (%s)", domFile)
                .isEqualTo(12);
        assertThat(count(dom, "<a href=\"#finding-"))
                .as("member links (%s)", domFile)
                .isEqualTo(12);
        assertThat(dom.contains("then &lt;script&gt;alert(1)&lt;/script&gt;"))
                .as("the story as text (%s)", domFile)
                .isTrue();
        assertThat(dom.contains("role/\"&gt;&lt;img src=x onerror=alert(1)&gt;"))
                .as("the principal as text (%s)", domFile)
                .isTrue();
        for (String markup : List.of("<script", "<img", "<iframe")) {
            assertThat(dom.toLowerCase().contains(markup))
                    .as("the DOM (%s) has %s", domFile, markup)
                    .isFalse();
        }
        assertOnlyReportMarkup(dom);
    }

    /** Only the elements and attributes the report writes are in the DOM: nothing was injected. */
    static void assertOnlyReportMarkup(String dom) {
        Set<String> elements = new HashSet<>();
        Set<String> attributes = new HashSet<>();
        Matcher tag = TAG.matcher(dom);
        while (tag.find()) {
            elements.add(tag.group(1).toLowerCase());
            Matcher a = ATTRIBUTE.matcher(tag.group(2));
            while (a.find()) {
                attributes.add(a.group(1).toLowerCase());
            }
        }
        assertThat(elements)
                .as("elements in the DOM")
                .isSubsetOf(REPORT_ELEMENTS)
                .contains("svg", "rect", "details");
        assertThat(attributes)
                .as("attributes in the DOM")
                .isSubsetOf(REPORT_ATTRIBUTES)
                .contains("title");
    }

    /**
     * Chromium on the PATH, else Debian's /usr/bin/chromium; when neither is there, fails (CI) or
     * skips, saying what to do.
     */
    static String chromium() {
        String found = null;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (found == null && !dir.isEmpty() && Files.isExecutable(Path.of(dir, "chromium"))) {
                found = Path.of(dir, "chromium").toString();
            }
        }
        if (found == null && Files.isExecutable(Path.of("/usr/bin/chromium"))) {
            found = "/usr/bin/chromium";
        }
        RequiredTool.require(
                found != null,
                "chromium not found (on PATH or /usr/bin/chromium): run "
                        + "`bash scripts/chromium.sh` as root to install Debian's Chromium; .ci/run does so before the tests");
        return found;
    }

    /** Runs headless Chromium with a fresh profile; returns its standard output. */
    static String run(String chromium, Path tmp, String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(chromium));
        cmd.addAll(List.of(FLAGS));
        cmd.add("--user-data-dir=" + Files.createDirectory(tmp.resolve("profile-" + name)));
        cmd.addAll(List.of(args));
        Path stdout = tmp.resolve(name + ".out");
        Path log = tmp.resolve(name + ".log");
        Process p =
                new ProcessBuilder(cmd)
                        .redirectOutput(stdout.toFile())
                        .redirectError(log.toFile())
                        .start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail(
                    "chromium did not finish in 180 s: "
                            + String.join(" ", cmd)
                            + "\n"
                            + Files.readString(log));
        }
        assertThat(p.exitValue())
                .as("chromium exit code; log:%n%s", Files.readString(log))
                .isZero();
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
