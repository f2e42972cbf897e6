package io.layerwatch.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.config.RulesUpdate;
import io.layerwatch.testing.RecordingMetricGroup;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.testutils.ManuallyTriggeredScheduledExecutorService;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesReloadSourceTest {
    private static final String LOW = "rules:\n  layer-download: {severity: LOW}\n";
    private static final String HIGH = "rules:\n  layer-download: {severity: HIGH}\n";
    private static final Duration INTERVAL = Duration.ofSeconds(30);

    /** What the test doubles' methods the rules-reload source never calls say if it starts to. */
    private static final String UNUSED = "not called by the rules-reload source";

    @TempDir Path dir;

    final ManuallyTriggeredScheduledExecutorService timer =
            new ManuallyTriggeredScheduledExecutorService();
    final RecordingMetricGroup metrics = new RecordingMetricGroup();
    final Output output = new Output();

    Path rulesFile(String yaml) throws Exception {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    RulesReloadSource source(Path file) {
        RulesSource rules = new RulesSource(file.toString(), null);
        return new RulesReloadSource(
                new RulesReloader(rules, rules.read(), rules.load()), INTERVAL);
    }

    RulesReloadReader reader(Path file, String startupYaml) {
        RulesSource rules = new RulesSource(file.toString(), null);
        RulesReloader reloader = new RulesReloader(rules, startupYaml, rules.parse(startupYaml));
        return new RulesReloadReader(reloader, INTERVAL, metrics, timer);
    }

    /** One timer tick, then what the task thread emits. */
    InputStatus tick(RulesReloadReader reader) {
        timer.triggerPeriodicScheduledTasks();
        return reader.pollNext(output);
    }

    long counter(String name) {
        return metrics.counters().get("kinesisanalytics." + name).getCount();
    }

    @Test
    void readerPollsEveryIntervalOnceItHoldsTheSplit() throws Exception {
        Path file = rulesFile(LOW);
        RulesReloadReader reader = reader(file, LOW);
        reader.start();
        assertThat(timer.getActivePeriodicScheduledTask()).isEmpty();

        reader.addSplits(List.of(new RulesReloadSplit(LOW)));

        ScheduledFuture<?> poll = timer.getActivePeriodicScheduledTask().iterator().next();
        assertThat(poll.getDelay(TimeUnit.MILLISECONDS)).isEqualTo(INTERVAL.toMillis());
    }

    @Test
    void readerEmitsAChangedFileOnceAtTheNextPoll() throws Exception {
        Path file = rulesFile(LOW);
        RulesReloadReader reader = reader(file, LOW);
        reader.addSplits(List.of(new RulesReloadSplit(LOW)));
        assertThat(tick(reader)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
        assertThat(reader.isAvailable()).isNotDone();

        Files.writeString(file, HIGH);
        timer.triggerPeriodicScheduledTasks();
        assertThat(reader.isAvailable()).isDone();
        assertThat(reader.pollNext(output)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
        assertThat(tick(reader)).isEqualTo(InputStatus.NOTHING_AVAILABLE);

        assertThat(output.records).containsExactly(new RulesUpdate(file.toString(), HIGH));
        assertThat(counter("rulesReloaded")).isEqualTo(1);
    }

    @Test
    void readerStaysIdle() throws Exception {
        Path file = rulesFile(LOW);
        RulesReloadReader reader = reader(file, LOW);
        reader.addSplits(List.of(new RulesReloadSplit(LOW)));
        reader.pollNext(output);
        Files.writeString(file, HIGH);
        tick(reader);

        assertThat(output.records).hasSize(1);
        assertThat(output.idle).isTrue();
        assertThat(output.watermarks).isZero();
    }

    @Test
    void readerKeepsPollingAfterAnInvalidFile() throws Exception {
        Path file = rulesFile(LOW);
        RulesReloadReader reader = reader(file, LOW);
        reader.addSplits(List.of(new RulesReloadSplit(LOW)));

        Files.writeString(file, "rules:\n  layer-download: {severity: URGENT}\n");
        tick(reader);
        Files.delete(file);
        tick(reader);
        Files.writeString(file, HIGH);
        tick(reader);

        assertThat(counter("rulesRejected")).isEqualTo(2);
        assertThat(output.records).containsExactly(new RulesUpdate(file.toString(), HIGH));
    }

    @Test
    void readerCountsChangesThatNeedARestart() throws Exception {
        Path file = rulesFile("");
        RulesReloadReader reader = reader(file, "");
        reader.addSplits(List.of(new RulesReloadSplit("")));

        Files.writeString(file, "rules:\n  layer-download-burst: {window: 30m}\n");
        tick(reader);

        assertThat(counter("rulesRestartRequired")).isEqualTo(1);
        assertThat(output.records).hasSize(1);
    }

    @Test
    void readerFailsTheTaskWhenAPollThrows() throws Exception {
        Path file = rulesFile(LOW);
        RulesSource rules = new RulesSource(file.toString(), null);
        RulesSource broken =
                new RulesSource("nul\0in the path", null); // a path the file system refuses
        RulesReloader reloader = new RulesReloader(broken, LOW, rules.load());
        RulesReloadReader reader = new RulesReloadReader(reloader, INTERVAL, metrics, timer);
        reader.addSplits(List.of(new RulesReloadSplit(LOW)));
        timer.triggerPeriodicScheduledTasks();

        assertThat(reader.isAvailable()).isDone();
        assertThatThrownBy(() -> reader.pollNext(output))
                .hasRootCauseInstanceOf(InvalidPathException.class);
    }

    @Test
    void readerStateIsTheLastRulesEmitted() throws Exception {
        Path file = rulesFile(LOW);
        RulesReloadReader reader = reader(file, LOW);
        assertThat(reader.snapshotState(1)).isEmpty();
        reader.addSplits(List.of(new RulesReloadSplit(LOW)));
        assertThat(reader.snapshotState(2)).containsExactly(new RulesReloadSplit(LOW));

        Files.writeString(file, HIGH);
        tick(reader);

        assertThat(reader.snapshotState(3)).containsExactly(new RulesReloadSplit(HIGH));
    }

    /**
     * What a reader started with LOW and restored holding HIGH (broadcast before the checkpoint)
     * emits first.
     */
    List<RulesUpdate> restoredHoldingHigh(Path file) {
        RulesReloadReader restored = reader(file, LOW);
        restored.addSplits(List.of(new RulesReloadSplit(HIGH)));
        tick(restored);
        return output.records;
    }

    @Test
    void restoredReaderEmitsNothingWhileTheFileMatchesItsState() throws Exception {
        assertThat(restoredHoldingHigh(rulesFile(HIGH))).isEmpty();
    }

    @Test
    void restoredReaderEmitsTheStartupRulesWhenTheyDifferFromItsState() throws Exception {
        Path file = rulesFile(LOW);
        assertThat(restoredHoldingHigh(file))
                .containsExactly(new RulesUpdate(file.toString(), LOW));
    }

    @Test
    void readerStopsItsTimerOnClose() throws Exception {
        RulesSource rules = new RulesSource(rulesFile(LOW).toString(), null);
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        RulesReloadReader reader =
                new RulesReloadReader(
                        new RulesReloader(rules, LOW, rules.load()), INTERVAL, metrics, thread);
        reader.addSplits(List.of(new RulesReloadSplit(LOW)));
        reader.close();
        assertThat(thread.isShutdown()).isTrue();
    }

    @Test
    void enumeratorAssignsTheStartupRulesWhenTheReaderRegisters() throws Exception {
        Context context = new Context();
        var enumerator = source(rulesFile(LOW)).createEnumerator(context);
        enumerator.start();
        assertThat(enumerator.snapshotState(1)).contains(new RulesReloadSplit(LOW));

        context.readers.put(0, new ReaderInfo(0, "localhost"));
        enumerator.addReader(0);

        assertThat(context.assigned).containsExactly(new RulesReloadSplit(LOW));
        assertThat(enumerator.snapshotState(2)).isEmpty();
    }

    @Test
    void enumeratorReassignsASplitGivenBack() throws Exception {
        Context context = new Context();
        var enumerator = source(rulesFile(LOW)).restoreEnumerator(context, Optional.empty());
        enumerator.addSplitsBack(List.of(new RulesReloadSplit(HIGH)), 0);
        assertThat(enumerator.snapshotState(1)).contains(new RulesReloadSplit(HIGH));

        context.readers.put(0, new ReaderInfo(0, "localhost"));
        enumerator.addReader(0);

        assertThat(context.assigned).containsExactly(new RulesReloadSplit(HIGH));
    }

    @Test
    void splitAndEnumeratorStateSurviveTheirSerializers() throws Exception {
        var splits = RulesReloadSplit.Serializer.INSTANCE;
        var pending = RulesReloadSplit.PendingSerializer.INSTANCE;
        RulesReloadSplit split = new RulesReloadSplit(HIGH + "# ü\n".repeat(30_000));

        assertThat(splits.deserialize(splits.getVersion(), splits.serialize(split)))
                .isEqualTo(split);
        assertThat(pending.deserialize(pending.getVersion(), pending.serialize(Optional.of(split))))
                .contains(split);
        assertThat(pending.deserialize(pending.getVersion(), pending.serialize(Optional.empty())))
                .isEmpty();
    }

    /** Records, watermarks and the idle status the reader emits. */
    static final class Output implements ReaderOutput<RulesUpdate> {
        final List<RulesUpdate> records = new ArrayList<>();
        int watermarks;
        boolean idle;

        @Override
        public void collect(RulesUpdate record) {
            records.add(record);
        }

        @Override
        public void collect(RulesUpdate record, long timestamp) {
            records.add(record);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks++;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }

        @Override
        public SourceOutput<RulesUpdate> createOutputForSplit(String splitId) {
            throw new UnsupportedOperationException(UNUSED);
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            throw new UnsupportedOperationException(UNUSED);
        }
    }

    /** The registered readers and the splits assigned to them. */
    static final class Context implements SplitEnumeratorContext<RulesReloadSplit> {
        final Map<Integer, ReaderInfo> readers = new HashMap<>();
        final List<RulesReloadSplit> assigned = new ArrayList<>();

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            return UnregisteredMetricsGroup.createSplitEnumeratorMetricGroup();
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, SourceEvent event) {
            throw new UnsupportedOperationException(UNUSED);
        }

        @Override
        public int currentParallelism() {
            return 1;
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return readers;
        }

        @Override
        public void assignSplits(SplitsAssignment<RulesReloadSplit> assignment) {
            assignment.assignment().values().forEach(assigned::addAll);
        }

        @Override
        public void signalNoMoreSplits(int subtask) {
            throw new UnsupportedOperationException(UNUSED);
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
            throw new UnsupportedOperationException(UNUSED);
        }

        @Override
        public <T> void callAsync(
                Callable<T> callable,
                BiConsumer<T, Throwable> handler,
                long initialDelay,
                long period) {
            throw new UnsupportedOperationException(UNUSED);
        }

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
            throw new UnsupportedOperationException(UNUSED);
        }
    }
}
