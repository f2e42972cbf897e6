package io.layerwatch.streaming;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.layerwatch.testing.CloudTrailRecords.FOREIGN_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.layerwatch.cli.LayerWatchCli;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.FlinkCluster;
import io.layerwatch.testing.KinesisEmulator;
import io.layerwatch.util.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * target/layerwatch-msf.jar on a standalone Flink cluster (scripts/flink-cluster.sh: a JobManager
 * and two TaskManagers, each its own JVM), submitted through the REST API with runtime properties
 * read the MSF way, reading the Kinesis emulator and delivering to Security Hub and SNS on
 * WireMock. The tests run in order on one cluster and one stream: each stage adds records and
 * checks the findings delivered so far against a local replay of all records put so far.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    static final Path JAR = Paths.get("target/layerwatch-msf.jar").toAbsolutePath();
    static final String STREAM = "cluster-trail";
    static final String TOPIC = "arn:aws:sns:us-east-1:111122223333:layerwatch-findings";
    static final String IMPORT = "/findings/import";
    static final Duration WAIT = Duration.ofMinutes(2);

    @RegisterExtension static final FakeAws CREDENTIALS = FakeAws.credentialsOnly();

    @TempDir static Path tmp;

    static WireMockServer aws;
    static KinesisEmulator kinesis;
    static KinesisClient client;
    static FlinkCluster cluster;
    static String jarId;
    static String job;
    static final List<String> records = new ArrayList<>();
    static final Instant BASE = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @BeforeAll
    static void start() throws Exception {
        if (!Files.exists(JAR)) {
            // CI packages before the integration tests; a developer running this test alone may not
            // have.
            assertThat(System.getenv("CI")).as("target/layerwatch-msf.jar missing in CI").isNull();
            String skip =
                    "target/layerwatch-msf.jar missing: run `mvn -o -B package -DskipTests` first";
            System.err.println(
                    "ClusterIT skipped: "
                            + skip); // surefire reports a class-level abort as 0 tests
            Assumptions.abort(skip);
        }
        aws = new WireMockServer(wireMockConfig().dynamicPort());
        aws.start();
        aws.stubFor(
                post(urlEqualTo(IMPORT))
                        .willReturn(
                                aResponse()
                                        .withStatus(200)
                                        .withHeader("Content-Type", "application/json")
                                        .withBody(
                                                "{\"FailedCount\":0,\"SuccessCount\":1,\"FailedFindings\":[]}")));
        String ok =
                IntStream.range(0, 10)
                        .mapToObj(
                                i ->
                                        "<member><Id>"
                                                + i
                                                + "</Id><MessageId>m-"
                                                + i
                                                + "</MessageId></member>")
                        .collect(Collectors.joining());
        aws.stubFor(
                post(urlEqualTo("/"))
                        .willReturn(
                                aResponse()
                                        .withStatus(200)
                                        .withHeader("Content-Type", "text/xml")
                                        .withBody(
                                                "<PublishBatchResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishBatchResult>"
                                                        + "<Successful>"
                                                        + ok
                                                        + "</Successful><Failed/></PublishBatchResult>"
                                                        + "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishBatchResponse>")));
        kinesis = KinesisEmulator.start();
        client =
                AwsClientSettings.DEFAULTS
                        .withRegion("us-east-1")
                        .withEndpoint(kinesis.endpoint())
                        .build(KinesisClient.builder());
        // One shard for two source subtasks: one of them has nothing to read, as with more subtasks
        // than shards.
        KinesisEmulator.createStream(client, STREAM, 1);

        Path dir = Paths.get("target/cluster-it").toAbsolutePath();
        deleteTree(dir);
        String endpoint = "http://127.0.0.1:" + aws.port();
        cluster =
                FlinkCluster.start(
                        dir,
                        Map.of(
                                "AWS_ACCESS_KEY_ID",
                                FakeAws.ACCESS_KEY_ID,
                                "AWS_SECRET_ACCESS_KEY",
                                FakeAws.SECRET_ACCESS_KEY,
                                "AWS_REGION",
                                FakeAws.REGION,
                                "AWS_ENDPOINT_URL_SECURITYHUB",
                                endpoint,
                                "AWS_ENDPOINT_URL_SNS",
                                endpoint));
        Files.writeString(
                cluster.applicationProperties(),
                Json.write(
                        List.of(
                                group(
                                        "KinesisSource",
                                        Map.of(
                                                "stream.arn",
                                                "arn:aws:kinesis:us-east-1:111122223333:stream/"
                                                        + STREAM,
                                                "aws.region",
                                                "us-east-1",
                                                "initial.position",
                                                "TRIM_HORIZON",
                                                "endpoint",
                                                kinesis.endpoint())),
                                group(
                                        "Sinks",
                                        Map.of(
                                                "enabled",
                                                "securityhub,sns",
                                                "sns.topic.arn",
                                                TOPIC,
                                                "securityhub.hub.account.id",
                                                "111122223333",
                                                "securityhub.hub.region",
                                                FakeAws.REGION)))));
        jarId = cluster.upload(JAR);
    }

    static Map<String, Object> group(String id, Map<String, String> properties) {
        return Map.of("PropertyGroupId", id, "PropertyMap", properties);
    }

    @AfterAll
    static void stop() throws Exception {
        try (AutoCloseable a = cluster;
                AutoCloseable b = kinesis;
                AutoCloseable c = client) {
            if (aws != null) {
                aws.stop();
            }
        }
    }

    static void deleteTree(Path dir) throws Exception {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ---- input and expectations ----

    static void put(String... json) {
        for (String r : json) {
            records.add(r);
            client.putRecord(
                    b -> b.streamName(STREAM).partitionKey("k").data(SdkBytes.fromUtf8String(r)));
        }
    }

    static String denied(int i) {
        return record("BatchGetImage")
                .repositoryName("payments")
                .assumedRole("111122223333", "intern", "s")
                .error("AccessDeniedException", "denied")
                .time(BASE.plusSeconds(i))
                .eventId("denied-" + i)
                .json();
    }

    static String policyDeleted(String repository) {
        return record("DeleteRepositoryPolicy")
                .repositoryName(repository)
                .time(BASE)
                .eventId("delete-" + repository)
                .json();
    }

    /** The findings `layerwatch replay` emits for every record put so far. */
    static List<JsonNode> localReplay() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "replay");
        Path trail = dir.resolve("trail.json");
        Files.writeString(trail, "{\"Records\":[" + String.join(",", records) + "]}");
        StringWriter err = new StringWriter();
        int code =
                LayerWatchCli.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err),
                        "replay",
                        "--out",
                        dir.resolve("out").toString(),
                        trail.toString());
        assertThat(code).as(err.toString()).isZero();
        return Files.readAllLines(dir.resolve("out/findings.jsonl")).stream()
                .map(Json::tree)
                .toList();
    }

    /** Finding id -> times imported into Security Hub. */
    /**
     * Every finding Security Hub was sent, as its JSON text: a version of a finding (same id) is
     * another text.
     */
    static List<String> securityHub() {
        List<String> sent = new ArrayList<>();
        for (LoggedRequest r : aws.findAll(postRequestedFor(urlEqualTo(IMPORT)))) {
            Json.tree(r.getBodyAsString()).path("Findings").forEach(f -> sent.add(f.toString()));
        }
        return sent;
    }

    /**
     * What Security Hub holds, finding by finding: a detection by its id, an incident by its
     * members (the version with the most of them). An incident's id comes from its first member,
     * and in a stream findings that arrive together in another order than a replay judges them may
     * open it with another first member.
     */
    static Set<String> ids(List<String> sent) {
        Set<String> out = new TreeSet<>();
        Map<String, Set<String>> incidents = new TreeMap<>();
        for (String text : sent) {
            JsonNode f = Json.tree(text);
            JsonNode fields = f.path("ProductFields");
            if (fields.path("layerwatch/ruleId").asText().equals(RuleCatalog.ATTACK_SEQUENCE)) {
                Set<String> members = new TreeSet<>();
                Json.tree(fields.path("layerwatch/details/memberIds").asText())
                        .forEach(m -> members.add(m.asText()));
                incidents.merge(
                        f.path("Id").asText(), members, (a, b) -> a.size() >= b.size() ? a : b);
            } else {
                out.add(f.path("Id").asText());
            }
        }
        incidents.values().forEach(members -> out.add("incident of " + members));
        return out;
    }

    /** The same for a local replay's findings.jsonl lines. */
    static Set<String> replayIds(List<JsonNode> replay) {
        Set<String> out = new TreeSet<>();
        for (JsonNode f : replay) {
            if (f.path("ruleId").asText().equals(RuleCatalog.ATTACK_SEQUENCE)) {
                Set<String> members = new TreeSet<>();
                f.path("details").path("memberIds").forEach(m -> members.add(m.asText()));
                out.add("incident of " + members);
            } else {
                out.add(f.path("id").asText());
            }
        }
        return out;
    }

    static Map<String, Long> count(Stream<String> values) {
        return values.collect(Collectors.groupingBy(v -> v, TreeMap::new, Collectors.counting()));
    }

    /**
     * Waits until Security Hub holds the findings a local replay emits, then checks nothing more
     * arrives by a checkpoint later, and that no version of a finding was sent twice (folded
     * repeats and incidents send a finding again when it changes: same id, other contents).
     */
    static List<JsonNode> awaitFindingsOfLocalReplay() throws Exception {
        List<JsonNode> replay = localReplay();
        Set<String> expected = replayIds(replay);
        assertThat(expected).isNotEmpty();
        FlinkCluster.await(
                "Security Hub findings " + expected,
                WAIT,
                () -> ids(securityHub()).containsAll(expected));
        long checkpoint = cluster.latestCheckpoint(job);
        FlinkCluster.await(
                "a checkpoint after the findings",
                WAIT,
                () -> cluster.latestCheckpoint(job) > checkpoint + 1);
        List<String> sent = securityHub();
        assertThat(ids(sent)).isEqualTo(expected);
        assertThat(count(sent.stream()))
                .as("versions sent more than once")
                .allSatisfy((f, n) -> assertThat(n).isOne());
        return replay;
    }

    // ---- the stages ----

    @Test
    @Order(1)
    void findingsArriveWithTheIdsOfALocalReplay() throws Exception {
        job = cluster.run(jarId, null);
        cluster.awaitRunning(job);
        String publicPolicy =
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
                        + "\"Action\":\"ecr:BatchGetImage\"}]}";
        put(
                policyDeleted("payments"),
                record("SetRepositoryPolicy")
                        .repositoryName("payments")
                        .policyText(publicPolicy)
                        .time(BASE)
                        .eventId("expose-1")
                        .json(),
                record("BatchGetImage")
                        .repositoryName("payments")
                        .crossAccount(FOREIGN_ACCOUNT)
                        .time(BASE)
                        .eventId("foreign-1")
                        .json(),
                record("GetDownloadUrlForLayer")
                        .repositoryName("payments")
                        .param("layerDigest", "sha256:l1")
                        .time(BASE)
                        .eventId("layer-1")
                        .json());
        // Half of an access-denied burst: the other half comes after a TaskManager dies.
        put(IntStream.range(0, 5).mapToObj(ClusterIT::denied).toArray(String[]::new));
        awaitFindingsOfLocalReplay();

        // SNS gets the MEDIUM and higher findings (the default policy), LOW ones not.
        String sns =
                aws.findAll(postRequestedFor(urlEqualTo("/"))).stream()
                        .map(r -> URLDecoder.decode(r.getBodyAsString(), StandardCharsets.UTF_8))
                        .collect(Collectors.joining("\n"));
        assertThat(sns)
                .contains("TopicArn=" + TOPIC)
                .contains("policy-deleted")
                .contains("repository-exposed")
                .contains("untrusted-network")
                .doesNotContain("Rule: layer-download");
    }

    @Test
    @Order(2)
    void aKilledTaskManagerSendsEveryFindingExactlyOnce() throws Exception {
        long restarts = cluster.restarts(job);
        Process kill =
                new ProcessBuilder("kill", "-9", Long.toString(cluster.pid("taskmanager-1")))
                        .start();
        assertThat(kill.waitFor()).isZero();
        put(IntStream.range(5, 10).mapToObj(ClusterIT::denied).toArray(String[]::new));
        put(policyDeleted("orders"));
        FlinkCluster.await(
                "the job restored from its checkpoint",
                WAIT,
                () -> cluster.restarts(job) > restarts && cluster.allTasksRunning(job));
        // The burst completes only if the first five denials came back with the checkpointed state.
        assertThat(awaitFindingsOfLocalReplay())
                .anySatisfy(
                        f -> {
                            assertThat(f.path("ruleId").asText()).isEqualTo("access-denied-burst");
                            assertThat(f.path("eventCount").asInt()).isEqualTo(10);
                        });
        cluster.addTaskManager(); // two TaskManagers again for the stages after this one
        assertThat(cluster.taskManagers())
                .containsExactly("taskmanager-1", "taskmanager-2", "taskmanager-3");
    }

    @Test
    @Order(3)
    void theJobResumesFromTenStopWithSavepointsInARow() throws Exception {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String savepoint;
            try {
                savepoint = cluster.stopWithSavepoint(job);
            } catch (IllegalStateException e) {
                failures.add(e.getMessage());
                FlinkCluster.await(
                        "job " + job + " running again", WAIT, () -> cluster.allTasksRunning(job));
                continue;
            }
            cluster.awaitState(job, "FINISHED");
            job = cluster.run(jarId, savepoint);
            cluster.awaitRunning(job);
        }
        assertThat(failures).as("failed stop-with-savepoint attempts of 10").isEmpty();
        put(policyDeleted("billing"));
        awaitFindingsOfLocalReplay();
    }

    @Test
    @Order(4)
    void noLogLineRepeatsInSteadyState() throws Exception {
        LocalDateTime from = LocalDateTime.now();
        long checkpoint = cluster.latestCheckpoint(job);
        FlinkCluster.await(
                "three more checkpoints",
                WAIT,
                () -> cluster.latestCheckpoint(job) >= checkpoint + 3);
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
        Map<String, Long> repeated = new TreeMap<>();
        for (String tm : cluster.taskManagers()) {
            if (!Files.exists(cluster.log(tm))) {
                continue;
            }
            Map<String, Long> lines =
                    count(
                            Files.readAllLines(cluster.log(tm)).stream()
                                    .filter(l -> l.length() > 24 && Character.isDigit(l.charAt(0)))
                                    .filter(
                                            l ->
                                                    !LocalDateTime.parse(l.substring(0, 23), time)
                                                            .isBefore(from))
                                    .map(l -> tm + ": " + l.substring(24)));
            lines.forEach(
                    (line, n) -> {
                        if (n > 1) {
                            repeated.put(line, n);
                        }
                    });
        }
        // The window is well under a minute (three checkpoints at 5 s): any line twice repeats too
        // often.
        assertThat(repeated)
                .as("log lines repeated within %s", Duration.between(from, LocalDateTime.now()))
                .isEmpty();
    }

    @Test
    @Order(5)
    void cancelledJobsLeaveNoClassLoaderBehind() throws Exception {
        cluster.cancel(job);
        for (int i = 0; i < 5; i++) {
            job = cluster.run(jarId, null);
            cluster.awaitRunning(job);
            cluster.cancel(job);
        }
        for (String tm : cluster.taskManagers()) {
            if (ProcessHandle.of(cluster.pid(tm)).filter(ProcessHandle::isAlive).isEmpty()) {
                continue; // the one killed above
            }
            String[] loaders = {""};
            try {
                FlinkCluster.await(
                        tm + " without LayerWatch classes after a full GC",
                        WAIT,
                        () -> {
                            cluster.jcmd(tm, "GC.run");
                            loaders[0] = cluster.jcmd(tm, "VM.classloaders", "show-classes");
                            return !loaders[0].contains("io.layerwatch");
                        });
            } catch (AssertionError e) {
                String threads =
                        cluster.jcmd(tm, "Thread.print")
                                .lines()
                                .filter(l -> l.startsWith("\""))
                                .map(l -> l.substring(0, l.indexOf('"', 1) + 1))
                                .collect(Collectors.joining(", "));
                throw new AssertionError(
                        tm
                                + " still holds LayerWatch classes after a full GC:\n"
                                + loaders[0]
                                        .lines()
                                        .filter(
                                                l ->
                                                        l.contains("ClassLoader")
                                                                || l.contains("io.layerwatch"))
                                        .limit(40)
                                        .collect(Collectors.joining("\n"))
                                + "\nthreads: "
                                + threads,
                        e);
            }
        }
    }
}
