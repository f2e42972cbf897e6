package io.layerwatch.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.cli.LayerWatchCli;
import io.layerwatch.generate.Generator;
import io.layerwatch.generate.GeneratorOptions;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.FakeS3;
import io.layerwatch.testing.FlinkCluster;
import io.layerwatch.util.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code layerwatch replay --cluster} on the harness cluster (scripts/flink-cluster.sh: a
 * JobManager and two TaskManagers, each its own JVM) running target/layerwatch-msf.jar, with the
 * trail in a fake S3 on WireMock that the TaskManagers reach through {@code AWS_ENDPOINT_URL_S3}:
 * the findings are a local replay's.
 */
class ClusterReplayIT {
    static final Path JAR = Paths.get("target/layerwatch-msf.jar").toAbsolutePath();
    static final FakeS3 S3 = new FakeS3();
    static final String BUCKET = "org-trail";
    static final Pattern SUBMITTED = Pattern.compile("replay job ([0-9a-f]{32}) submitted to ");

    @RegisterExtension static final FakeAws AWS = new FakeAws(S3);

    @TempDir static Path tmp;

    static Path trail;

    /** Records in the generated trail (about the 6,000 asked for). */
    static long generated;

    static FlinkCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.exists(JAR)) {
            // CI packages before the integration tests; a developer running this test alone may not
            // have.
            assertThat(System.getenv("CI")).as("target/layerwatch-msf.jar missing in CI").isNull();
            Assumptions.abort(
                    "target/layerwatch-msf.jar missing: run `mvn -o -B package -DskipTests` first");
        }
        trail = tmp.resolve("trail");
        // Half a day of a made-up organization's trail with every attack scenario, about 400 files.
        generated =
                Generator.write(trail, GeneratorOptions.of(6_000, 11).withSpan(Duration.ofHours(6)))
                        .records();
        cluster =
                FlinkCluster.start(
                        Paths.get("target/cluster-replay-it").toAbsolutePath(),
                        Map.of(
                                "AWS_ACCESS_KEY_ID",
                                FakeAws.ACCESS_KEY_ID,
                                "AWS_SECRET_ACCESS_KEY",
                                FakeAws.SECRET_ACCESS_KEY,
                                "AWS_REGION",
                                FakeAws.REGION,
                                "AWS_ENDPOINT_URL_S3",
                                "http://127.0.0.1:" + AWS.server().port()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * The generated files as objects under their relative paths (labels.jsonl and rules.yaml too).
     */
    @BeforeEach
    void upload() throws Exception {
        S3.install(AWS.server());
        for (Path f : files()) {
            S3.put(BUCKET, key(f), Files.readAllBytes(f));
        }
    }

    static List<Path> files() throws Exception {
        try (Stream<Path> walk = Files.walk(trail)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    static String key(Path file) {
        return trail.relativize(file).toString().replace('\\', '/');
    }

    @Test
    void theClusterReadsTheObjectsInItsTasksFindingWhatALocalReplayFinds() throws Exception {
        Path rules = trail.resolve(Generator.RULES);
        Path local = tmp.resolve("local");
        assertThat(
                        cli(
                                "replay",
                                "--quiet",
                                "--rules",
                                rules.toString(),
                                "--out",
                                local.toString(),
                                trail.toString()))
                .isEqualTo(0);

        Path remote = tmp.resolve("remote");
        StringWriter err = new StringWriter();
        int code =
                LayerWatchCli.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err),
                        "replay",
                        "--cluster",
                        cluster.restAddress(),
                        "--job-jar",
                        JAR.toString(),
                        "--rules",
                        rules.toString(),
                        "--parallelism",
                        "2",
                        "--out",
                        remote.toString(),
                        "s3://" + BUCKET + "/");
        assertThat(code).as(err.toString()).isEqualTo(0);

        JsonNode expected = Json.tree(Files.readString(local.resolve("summary.json")));
        JsonNode actual = Json.tree(Files.readString(remote.resolve("summary.json")));
        assertThat(actual).isEqualTo(expected);
        assertThat(expected.path("eventsRead").asLong())
                .isEqualTo(generated)
                .isBetween(6_000L, 6_100L);
        assertThat(ids(remote)).isEqualTo(ids(local)).hasSizeGreaterThan(20);

        // Every trail object was fetched once, by the job; the generator's labels and rules never.
        Set<String> trailKeys = new HashSet<>();
        for (Path f : files()) {
            String name = f.getFileName().toString();
            if (!name.equals(Generator.RULES) && !name.equals(Generator.LABELS)) {
                trailKeys.add(key(f));
            }
        }
        List<String> gets = FakeS3.gets(AWS.server());
        assertThat(new HashSet<>(gets)).isEqualTo(trailKeys);
        assertThat(gets).hasSameSizeAs(trailKeys);

        // The listing ran in the job, and the decoders on both TaskManagers each read a share of
        // the files.
        Matcher submitted = SUBMITTED.matcher(err.toString());
        assertThat(submitted.find()).as(err.toString()).isTrue();
        JsonNode job = cluster.get("/jobs/" + submitted.group(1));
        assertThat(job.path("state").asText()).isEqualTo("FINISHED");
        JsonNode decoders = null;
        for (JsonNode v : job.path("vertices")) {
            if (v.path("name").asText().contains("List inputs")) {
                assertThat(v.path("metrics").path("write-records").asLong())
                        .isEqualTo(trailKeys.size());
            }
            if (v.path("name").asText().startsWith("Decode payloads")) {
                decoders =
                        cluster.get(
                                "/jobs/"
                                        + submitted.group(1)
                                        + "/vertices/"
                                        + v.path("id").asText());
            }
        }
        assertThat(decoders).isNotNull();
        Set<String> taskManagers = new HashSet<>();
        for (JsonNode subtask : decoders.path("subtasks")) {
            assertThat(subtask.path("metrics").path("read-records").asLong())
                    .isGreaterThan(trailKeys.size() / 4);
            taskManagers.add(subtask.path("taskmanager-id").asText());
        }
        assertThat(taskManagers).hasSize(2);
    }

    @Test
    void aBucketTheClusterCannotListFailsWithOneLine() throws Exception {
        S3.failList(BUCKET, "", 403);
        StringWriter err = new StringWriter();
        int code =
                LayerWatchCli.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err),
                        "replay",
                        "--cluster",
                        cluster.restAddress(),
                        "--job-jar",
                        JAR.toString(),
                        "--out",
                        tmp.resolve("denied").toString(),
                        "s3://" + BUCKET + "/");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString())
                .contains("error: cannot list s3://" + BUCKET + "/: AccessDenied (HTTP 403)")
                .doesNotContain("\tat ");
    }

    static int cli(String... args) {
        return LayerWatchCli.execute(
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), args);
    }

    static List<String> ids(Path out) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("findings.jsonl"))) {
            ids.add(Json.tree(line).path("id").asText());
        }
        return ids.stream().sorted().toList();
    }
}
