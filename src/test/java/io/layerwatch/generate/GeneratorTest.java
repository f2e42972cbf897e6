package io.layerwatch.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.cli.CliTest;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.decode.DecodeOutput;
import io.layerwatch.event.decode.PayloadDecoder;
import io.layerwatch.util.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator's contract: deterministic bytes, the S3 layout, valid content, labels, flags. */
class GeneratorTest {

    static final GeneratorOptions SMALL =
            GeneratorOptions.of(5_000, 42).withSpan(Duration.ofHours(6));

    static final Pattern CLOUDTRAIL =
            Pattern.compile(
                    "AWSLogs/(\\d{12})/CloudTrail/([a-z0-9-]+)/(\\d{4}/\\d{2}/\\d{2})/"
                            + "\\1_CloudTrail_\\2_(\\d{8}T\\d{4})Z_[A-Za-z0-9]{16}\\.json\\.gz");
    static final Pattern SCANS =
            Pattern.compile(
                    "ecr-scan-events/(\\d{12})/([a-z0-9-]+)/(\\d{4}/\\d{2}/\\d{2})/"
                            + "\\1_ecr-scan-events_\\2_(\\d{8}T\\d{4})Z_[A-Za-z0-9]{16}\\.jsonl\\.gz");

    /** Relative path -> bytes of every file under {@code dir}. */
    static Map<String, byte[]> tree(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return out;
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    static List<Label> readLabels(Path dir) throws IOException {
        List<Label> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(Generator.LABELS))) {
            out.add(Json.read(line, Label.class));
        }
        return out;
    }

    @Test
    void theSameSeedGivesTheSameBytesAnotherSeedOthers(@TempDir Path dir) throws Exception {
        Generator.write(dir.resolve("a"), SMALL);
        Generator.write(dir.resolve("b"), SMALL);
        Map<String, byte[]> a = tree(dir.resolve("a"));
        Map<String, byte[]> b = tree(dir.resolve("b"));
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((path, bytes) -> assertThat(b.get(path)).as(path).isEqualTo(bytes));

        Generator.write(
                dir.resolve("d"),
                new GeneratorOptions(
                        SMALL.events(),
                        43,
                        SMALL.scenarios(),
                        SMALL.start(),
                        SMALL.span(),
                        SMALL.ecrShare(),
                        SMALL.injections(),
                        SMALL.maxRecordsPerFile()));
        Map<String, byte[]> d = tree(dir.resolve("d"));
        assertThat(d.keySet()).isNotEqualTo(a.keySet());
        assertThat(d.get(Generator.LABELS)).isNotEqualTo(a.get(Generator.LABELS));
    }

    @Test
    void writesTheCloudTrailS3LayoutWithValidGzipAndDecodableRecords(@TempDir Path dir)
            throws Exception {
        Generator.Report report = Generator.write(dir, SMALL);
        DateTimeFormatter stampFormat = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm");
        long cloudTrailRecords = 0;
        long scanEvents = 0;
        long ecr = 0;
        int shuffledFiles = 0;
        int files = 0;
        PayloadDecoder decoder = new PayloadDecoder();
        for (Map.Entry<String, byte[]> file : tree(dir).entrySet()) {
            String path = file.getKey();
            if (path.equals(Generator.LABELS) || path.equals(Generator.RULES)) {
                continue;
            }
            files++;
            Matcher ct = CLOUDTRAIL.matcher(path);
            Matcher sc = SCANS.matcher(path);
            assertThat(ct.matches() || sc.matches()).as("file name %s", path).isTrue();
            Matcher m = ct.matches() ? ct : sc;
            Instant stamp = LocalDateTime.parse(m.group(4), stampFormat).toInstant(ZoneOffset.UTC);
            assertThat(m.group(3))
                    .as("day folder of %s", path)
                    .isEqualTo(
                            m.group(4).substring(0, 4)
                                    + "/"
                                    + m.group(4).substring(4, 6)
                                    + "/"
                                    + m.group(4).substring(6, 8));
            byte[] content = gunzip(file.getValue());
            List<JsonNode> records = new ArrayList<>();
            if (ct.matches()) {
                JsonNode log = Json.tree(new String(content, StandardCharsets.UTF_8));
                assertThat(log.fieldNames()).toIterable().containsExactly("Records");
                log.path("Records").forEach(records::add);
                cloudTrailRecords += records.size();
            } else {
                for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
                    JsonNode event = Json.tree(line);
                    assertThat(event.path("detail-type").asText())
                            .isIn("ECR Image Scan", "Inspector2 Scan");
                    assertThat(event.path("account").asText()).isEqualTo(m.group(1));
                    assertThat(event.path("region").asText()).isEqualTo(m.group(2));
                    records.add(event);
                }
                scanEvents += records.size();
            }
            assertThat(records).as(path).isNotEmpty();
            List<Instant> times = new ArrayList<>();
            for (JsonNode r : records) {
                Instant t =
                        Instant.parse(
                                r.has("eventTime")
                                        ? r.path("eventTime").asText()
                                        : r.path("time").asText());
                times.add(t);
                assertThat(t)
                        .as("%s: recorded before delivery, within one file period", path)
                        .isBefore(stamp)
                        .isAfter(stamp.minus(Duration.ofMinutes(12)));
                if (ct.matches()) {
                    assertThat(r.path("recipientAccountId").asText()).isEqualTo(m.group(1));
                    assertThat(r.path("awsRegion").asText()).isEqualTo(m.group(2));
                    if (r.path("eventSource").asText().equals("ecr.amazonaws.com")) {
                        ecr++;
                    }
                }
            }
            if (!times.stream().sorted().toList().equals(times)) {
                shuffledFiles++;
            }
            List<EcrEvent> decoded = new ArrayList<>();
            decoder.decode(
                    file.getValue(),
                    path,
                    new DecodeOutput() {
                        @Override
                        public void event(EcrEvent event) {
                            decoded.add(event);
                        }

                        @Override
                        public void deadLetter(DeadLetter deadLetter) {
                            throw new AssertionError(deadLetter.toString());
                        }
                    });
            assertThat(decoded).as("decoded events of %s", path).hasSize(records.size());
        }
        assertThat(files).isEqualTo(report.files());
        assertThat(cloudTrailRecords + scanEvents)
                .isEqualTo(report.records())
                .isBetween(4_900L, 5_100L);
        assertThat(scanEvents).isEqualTo(report.scanEvents()).isPositive();
        assertThat(ecr + scanEvents).isEqualTo(report.ecrRecords());
        assertThat(shuffledFiles).as("records out of time order within files").isPositive();
        // benign records are 5% ECR; the attack records (all ECR) come on top
        assertThat((double) report.ecrRecords() / report.records()).isBetween(0.05, 0.2);
    }

    @Test
    void labelsNameEveryRuleWithItsPrincipalRepositoryAndTimes(@TempDir Path dir) throws Exception {
        Generator.Report report = Generator.write(dir, SMALL);
        List<String> lines = Files.readAllLines(dir.resolve(Generator.LABELS));
        assertThat(lines).hasSize(Scenario.values().length);
        for (String line : lines) {
            assertThat(Json.tree(line).fieldNames())
                    .toIterable()
                    .containsExactly(
                            "scenario", "ruleId", "principal", "repository", "start", "end");
        }
        List<Label> labels = readLabels(dir);
        assertThat(labels).isEqualTo(report.labels()).isEqualTo(Generator.labels(SMALL));
        assertThat(labels)
                .extracting(Label::ruleId)
                .containsExactlyInAnyOrderElementsOf(RuleCatalog.ids());
        assertThat(labels)
                .extracting(Label::scenario)
                .containsExactlyInAnyOrderElementsOf(
                        Stream.of(Scenario.values()).map(Scenario::id).toList());
        Instant learned = SMALL.start().plus(SMALL.learningPhase());
        for (Label l : labels) {
            assertThat(l.principal())
                    .matches("arn:aws:iam::\\d{12}:(role|user)/.+|service:aws\\.(ecr|inspector2)");
            assertThat(l.start()).isAfter(learned).isBeforeOrEqualTo(l.end());
            assertThat(l.end()).isBefore(SMALL.end());
            boolean noRepository =
                    Set.of(
                                    RuleCatalog.LAYER_DOWNLOAD_BURST,
                                    RuleCatalog.ACCESS_DENIED_BURST,
                                    RuleCatalog.REPLICATION_TO_FOREIGN_ACCOUNT,
                                    RuleCatalog.REPOSITORY_ENUMERATION,
                                    RuleCatalog.PULL_THROUGH_CACHE_UNTRUSTED,
                                    RuleCatalog.MASS_DELETION,
                                    RuleCatalog.ATTACK_SEQUENCE)
                            .contains(l.ruleId());
            assertThat(l.repository() == null).as(l.toString()).isEqualTo(noRepository);
        }
        assertThat(labels).extracting(Label::start).isSorted();
        assertThat(lines.get(0)).contains("\"start\":\"" + labels.get(0).start() + "\"");
    }

    @Test
    void theScenariosFlagTakesNamesAndRuleIds(@TempDir Path dir) throws Exception {
        CliTest.Run some =
                CliTest.run(
                        "generate",
                        "--out",
                        dir.resolve("some").toString(),
                        "--events",
                        "3000",
                        "--seed",
                        "1",
                        "--span",
                        "6h",
                        "--scenarios",
                        "registry-copy-out, access-denied-burst");
        assertThat(some.code()).as(some.err()).isZero();
        assertThat(some.out()).contains("2 scenario injections").contains("replay --rules");
        assertThat(readLabels(dir.resolve("some")))
                .extracting(Label::scenario)
                .containsExactlyInAnyOrder("registry-copy-out", "access-denied-probe");

        CliTest.Run none =
                CliTest.run(
                        "generate",
                        "--out",
                        dir.resolve("none").toString(),
                        "--events",
                        "3000",
                        "--seed",
                        "1",
                        "--span",
                        "6h",
                        "--scenarios",
                        "none");
        assertThat(none.code()).as(none.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve("none").resolve(Generator.LABELS))).isEmpty();

        assertThat(Scenario.parse("all")).hasSize(Scenario.values().length);
        assertThat(Scenario.parse("NEW-PULLER,first-seen-puller,policy-deleted"))
                .containsExactlyInAnyOrder(Scenario.NEW_PULLER, Scenario.REPOSITORY_POLICY_REMOVED);
        assertThatThrownBy(() -> Scenario.parse("new-puller,,"))
                .hasMessageContaining("unknown scenario or rule id ''");
    }

    @Test
    void badFlagsFailWithOneLineNamingTheFlag(@TempDir Path dir) throws Exception {
        String out = dir.resolve("x").toString();
        Map<String[], String> cases =
                Map.of(
                        new String[] {"--events", "10", "--seed", "1"},
                        "--events must be at least 1000",
                        new String[] {"--events", "5000", "--seed", "1", "--scenarios", "bogus"},
                        "--scenarios: unknown scenario or rule id 'bogus'",
                        new String[] {"--events", "5000"},
                        "--seed",
                        new String[] {"--events", "5000", "--seed", "x1"},
                        "--seed",
                        new String[] {"--events", "5000", "--seed", "1", "--span", "1h"},
                        "--span must be between 6h and 60d",
                        new String[] {"--events", "5000", "--seed", "1", "--span", "soon"},
                        "--span: 'soon' is not a duration",
                        new String[] {"--events", "5000", "--seed", "1", "--ecr-share", "1.5"},
                        "--ecr-share must be between 0 and 1",
                        new String[] {"--events", "5000", "--seed", "1", "--start", "tomorrow"},
                        "'tomorrow' is not a time");
        for (Map.Entry<String[], String> c : cases.entrySet()) {
            List<String> args = new ArrayList<>(List.of("generate", "--out", out));
            args.addAll(List.of(c.getKey()));
            CliTest.Run r = CliTest.run(args.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err())
                    .as(String.join(" ", args))
                    .contains(c.getValue())
                    .doesNotContain("\tat ")
                    .doesNotContain("Exception");
        }
        assertThat(Files.exists(dir.resolve("x"))).as("nothing written on bad flags").isFalse();

        assertThat(
                        CliTest.run(
                                        "generate",
                                        "--out",
                                        out,
                                        "--events",
                                        "2000",
                                        "--seed",
                                        "1",
                                        "--span",
                                        "6h")
                                .code())
                .isZero();
        CliTest.Run again =
                CliTest.run(
                        "generate",
                        "--out",
                        out,
                        "--events",
                        "2000",
                        "--seed",
                        "2",
                        "--span",
                        "6h");
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("already holds AWSLogs");
    }

    @Test
    void streamsRecordsWithTheAskedShareOfEcr() {
        GeneratorOptions ecrOnly =
                GeneratorOptions.of(4_000, 9)
                        .withSpan(Duration.ofHours(6))
                        .withEcrShare(1.0)
                        .withScenarios(Set.of());
        long n = 0;
        for (Iterator<byte[]> it = Generator.records(ecrOnly); it.hasNext(); n++) {
            JsonNode r = Json.tree(new String(it.next(), StandardCharsets.UTF_8));
            boolean ecrCall = r.path("eventSource").asText().equals("ecr.amazonaws.com");
            boolean scan =
                    r.has("detail-type")
                            && r.path("source").asText().matches("aws\\.(ecr|inspector2)");
            boolean workload =
                    r.path("userAgent")
                            .asText()
                            .matches("awslambda-worker|.* exec-env/AWS_(Lambda|ECS)_.*");
            assertThat(ecrCall || scan || workload)
                    .as("ECR call, scan event or a workload's own call: %s", r)
                    .isTrue();
        }
        assertThat(n).isBetween(3_960L, 4_040L);

        long ecr = 0;
        long all = 0;
        for (Iterator<byte[]> it = Generator.records(ecrOnly.withEcrShare(0.1).withEvents(20_000));
                it.hasNext();
                all++) {
            String r = new String(it.next(), StandardCharsets.UTF_8);
            if (r.contains("\"eventSource\":\"ecr.amazonaws.com\"")
                    || r.contains("\"detail-type\"")) {
                ecr++;
            }
        }
        assertThat(all).isBetween(19_800L, 20_200L);
        assertThat((double) ecr / all).isBetween(0.09, 0.11);
    }

    @Test
    void theRulesFileIsValidAndMakesEveryRuleActive(@TempDir Path dir) throws Exception {
        Generator.write(dir, SMALL);
        RulesConfig config = RulesConfigLoader.load(dir.resolve(Generator.RULES));
        assertThat(config.rule(RuleCatalog.CREDENTIAL_NETWORK_HOP).allowlist().hasTrustedNetworks())
                .isTrue();
        assertThat(config.rule(RuleCatalog.REGISTRY_NOT_ASSESSED).strings("registries"))
                .isNotEmpty();
        assertThat(config.rule(RuleCatalog.FIRST_SEEN_PULLER).duration("learningPeriod"))
                .isEqualTo(SMALL.learningPhase());
        CliTest.Run rules =
                CliTest.run("rules", "--rules", dir.resolve(Generator.RULES).toString());
        assertThat(rules.code()).isZero();
        assertThat(rules.out()).doesNotContain("inactive");
        assertThat(RuleCatalog.ids())
                .allSatisfy(id -> assertThat(config.enabled(id)).as(id).isTrue());
        assertThat(
                        Set.copyOf(
                                readLabels(dir).stream()
                                        .map(Label::ruleId)
                                        .collect(Collectors.toSet())))
                .hasSize(Scenario.values().length);
    }
}
