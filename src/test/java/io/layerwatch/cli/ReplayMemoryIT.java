package io.layerwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.TrailFiles;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile input next to good trails, replayed by the CLI in a JVM of its own with a 512 MiB heap: a
 * gzip bomb (1 MB inflating to 1 GiB), a 1 GiB plain JSON file and a 100,000-deep nested array each
 * become a dead letter with its reason, and the good trails their findings.
 */
class ReplayMemoryIT {

    private static final long GIB = 1L << 30;

    /**
     * A log file's head and tail around a sparse gap of {@code size} bytes in all: no disk for the
     * gap.
     */
    private static Path sparseJson(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.write("{\"Records\":[".getBytes(StandardCharsets.US_ASCII));
            f.seek(size - 2);
            f.write("]}".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    private static String good(String eventName, String eventId) {
        return CloudTrailRecords.record(eventName)
                .repositoryName("payments")
                .eventId(eventId)
                .json();
    }

    /** The CLI's replay in a JVM of its own: its exit code; its output goes to {@code log}. */
    private static int replayForked(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
                cmd.add(arg); // what Flink needs on Java 17, as this JVM has it
            }
        }
        // The classpath is long: in an argument file (surefire passes it to its fork in a
        // manifest).
        Path argFile = log.resolveSibling("classpath.args");
        String classpath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        Files.writeString(argFile, "-cp \"" + classpath.replace("\\", "\\\\") + "\"\n");
        cmd.add("@" + argFile);
        cmd.add(LayerWatchCli.class.getName());
        cmd.add("replay");
        cmd.addAll(List.of(args));
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        if (!p.waitFor(8, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("replay did not finish: " + Files.readString(log));
        }
        return p.exitValue();
    }

    /** Each decoder reads its files on a thread of its own, at any parallelism. */
    @ParameterizedTest(name = "--parallelism {0}")
    @ValueSource(ints = {1, 2})
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void replayAt512MiBFindsWhatTheGoodFilesHoldDeadLetteringTheHostile(
            int parallelism, @TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Path bomb = in.resolve("bomb.json.gz");
        TrailFiles.gzipOfZeros(Files.newOutputStream(bomb), GIB);
        assertThat(Files.size(bomb)).as("about 1 MB").isLessThan(1_100_000);
        Path huge = sparseJson(in.resolve("huge.json"), GIB);
        Path deep =
                Files.writeString(
                        in.resolve("deep.json"), "[".repeat(100_000) + "]".repeat(100_000));
        Instant delivered = CloudTrailRecords.TIME.plusSeconds(300);
        TrailFiles.write(
                in,
                TrailFiles.key(CloudTrailRecords.ACCOUNT, CloudTrailRecords.REGION, delivered, "a"),
                List.of(
                        good("DeleteRepositoryPolicy", "good-1"),
                        good("DescribeRepositories", "good-2")));
        TrailFiles.write(
                in,
                TrailFiles.key(CloudTrailRecords.ACCOUNT, CloudTrailRecords.REGION, delivered, "b"),
                List.of(good("DeleteRegistryPolicy", "good-3")));
        Path out = dir.resolve("out");
        Path log = dir.resolve("replay.log");
        try {
            int code =
                    replayForked(
                            log,
                            "--parallelism",
                            String.valueOf(parallelism),
                            "--out",
                            out.toString(),
                            in.toString());

            assertThat(code).as(Files.readString(log)).isZero();
            Map<String, String> reasons = new TreeMap<>();
            for (String line : Files.readAllLines(out.resolve("dead-letter.jsonl"))) {
                JsonNode dl = Json.tree(line);
                reasons.put(
                        Path.of(dl.path("source").asText()).getFileName().toString(),
                        dl.path("reason").asText());
            }
            assertThat(reasons).containsOnlyKeys("bomb.json.gz", "huge.json", "deep.json");
            assertThat(reasons.get("bomb.json.gz"))
                    .isEqualTo("inflates beyond input.maxInflatedBytes (268435456 bytes)");
            assertThat(reasons.get("huge.json"))
                    .isEqualTo(
                            "1073741824 bytes, larger than input.maxInflatedBytes (268435456 bytes)");
            assertThat(reasons.get("deep.json")).contains("nesting depth");
            List<String> findings = new ArrayList<>();
            for (String line : Files.readAllLines(out.resolve("findings.jsonl"))) {
                findings.add(Json.tree(line).path("ruleId").asText());
            }
            assertThat(findings).containsExactlyInAnyOrder("policy-deleted", "policy-deleted");
            JsonNode summary = Json.tree(Files.readString(out.resolve("summary.json")));
            assertThat(summary.path("deadLettered").asLong()).isEqualTo(3);
            assertThat(summary.path("eventsRead").asLong()).isEqualTo(3);
        } finally {
            Files.deleteIfExists(huge);
            Files.deleteIfExists(bomb);
            Files.deleteIfExists(deep);
        }
    }
}
