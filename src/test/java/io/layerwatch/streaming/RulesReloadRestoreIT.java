package io.layerwatch.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RulesUpdate;
import io.layerwatch.testing.MiniClusters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules-reload source through a real stop-with-savepoint and restore: the rules it last sent
 * are in its checkpointed split, so a restored job sends nothing while the file still holds them,
 * sends the file's rules when they differ, and goes on polling.
 */
class RulesReloadRestoreIT {
    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(1);

    private static final String LOW = "rules:\n  layer-download: {severity: LOW}\n";
    private static final String MEDIUM = "rules:\n  layer-download: {severity: MEDIUM}\n";
    private static final String HIGH = "rules:\n  layer-download: {severity: HIGH}\n";
    private static final Duration INTERVAL = Duration.ofMillis(50);
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /** What the running job's source sent (the MiniCluster runs in this JVM). */
    private static final Queue<String> SENT = new ConcurrentLinkedQueue<>();

    @TempDir Path dir;
    private Path file;

    /** The job running now, cancelled after each test. */
    private JobClient running;

    @BeforeEach
    void clear() {
        SENT.clear();
        file = dir.resolve("rules.yaml");
    }

    @AfterEach
    void cancel() throws Exception {
        if (running != null && !running.getJobStatus().get().isGloballyTerminalState()) {
            running.cancel().get();
        }
    }

    /** Record each update's YAML. */
    static final class Record implements MapFunction<RulesUpdate, String> {
        @Override
        public String map(RulesUpdate update) {
            SENT.add(update.yaml());
            return update.yaml();
        }
    }

    /**
     * A job of the source alone, its startup rules read from the file as the streaming job does.
     */
    private JobClient start(String savepoint) throws Exception {
        Configuration conf = new Configuration();
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        RulesSource rules = new RulesSource(file.toString(), null);
        env.fromSource(
                        new RulesReloadSource(
                                new RulesReloader(rules, rules.read(), rules.load()), INTERVAL),
                        WatermarkStrategy.noWatermarks(),
                        "rules")
                .uid("rules-reload")
                .map(new Record())
                .uid("record")
                .sinkTo(new DiscardingSink<>())
                .uid("discard");
        running = env.executeAsync("rules-reload-restore");
        awaitRunning(running);
        return running;
    }

    private static void awaitRunning(JobClient job) throws Exception {
        long until = System.nanoTime() + PATIENCE.toNanos();
        while (job.getJobStatus().get() != JobStatus.RUNNING) {
            assertThat(System.nanoTime()).as("job running within %s", PATIENCE).isLessThan(until);
            Thread.sleep(20);
        }
    }

    /** Waits until the source has sent {@code count} updates; returns them in order. */
    private static List<String> awaitSent(int count) throws InterruptedException {
        long until = System.nanoTime() + PATIENCE.toNanos();
        while (SENT.size() < count) {
            assertThat(System.nanoTime())
                    .as("%d updates within %s, got %s", count, PATIENCE, SENT)
                    .isLessThan(until);
            Thread.sleep(20);
        }
        return List.copyOf(SENT);
    }

    /** Time for 40 polls. */
    private static void severalPolls() throws InterruptedException {
        Thread.sleep(INTERVAL.toMillis() * 40);
    }

    private String stop(JobClient job) throws Exception {
        return job.stopWithSavepoint(
                        false,
                        dir.resolve("savepoints").toUri().toString(),
                        SavepointFormatType.CANONICAL)
                .get();
    }

    /** Starts with LOW, changes the file to MEDIUM live, stops with a savepoint. */
    private String savepointAfterALiveChange() throws Exception {
        Files.writeString(file, LOW);
        JobClient job = start(null);
        severalPolls();
        assertThat(SENT).as("the startup rules are not sent again").isEmpty();
        Files.writeString(file, MEDIUM);
        assertThat(awaitSent(1)).containsExactly(MEDIUM);
        String savepoint = stop(job);
        SENT.clear();
        return savepoint;
    }

    @Test
    void aRestoredSourceSendsOnlyTheChangesMadeAfterItsRestore() throws Exception {
        String savepoint = savepointAfterALiveChange();

        start(savepoint);
        severalPolls(); // the file still holds the rules sent last
        Files.writeString(file, HIGH);
        assertThat(awaitSent(1)).containsExactly(HIGH);
    }

    @Test
    void aRestoredSourceSendsTheFileWhenItDiffersFromTheRulesItSentLast() throws Exception {
        String savepoint = savepointAfterALiveChange();
        Files.writeString(file, LOW); // changed back while the job was down

        start(savepoint);
        assertThat(awaitSent(1)).containsExactly(LOW);
    }
}
