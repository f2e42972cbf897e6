package io.layerwatch.replay;

import io.layerwatch.finding.Finding;
import io.layerwatch.pipeline.ReadProgress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How far a local replay has got, for the progress bar: the operators of a MiniCluster run in the
 * JVM that started the job, so they add to the counters of their run (found by id) directly. On
 * another cluster there is no such run and the operators skip it.
 */
public final class ReplayProgress implements ReadProgress, AutoCloseable {
    private static final Map<String, ReplayProgress> RUNS = new ConcurrentHashMap<>();

    /** A consistent-enough view for display; {@code elapsedMillis} since the run started. */
    public record Snapshot(
            long filesDone,
            long filesTotal,
            long bytesDone,
            long bytesTotal,
            long records,
            long findings,
            long elapsedMillis) {}

    private final String id = UUID.randomUUID().toString();
    private final long filesTotal;
    private final long bytesTotal;
    private final long startNanos = System.nanoTime();
    private final LongAdder filesDone = new LongAdder();
    private final LongAdder bytesDone = new LongAdder();
    private final LongAdder records = new LongAdder();
    private final LongAdder findings = new LongAdder();

    /**
     * Ids of findings that may be updated (episodes, registries): counted once. The rest are
     * unique.
     */
    private final Set<String> updatable = ConcurrentHashMap.newKeySet();

    private ReplayProgress(long filesTotal, long bytesTotal) {
        this.filesTotal = filesTotal;
        this.bytesTotal = bytesTotal;
    }

    /** Registers a run over these files; {@link #close()} unregisters it. */
    static ReplayProgress start(List<InputFile> files) {
        ReplayProgress p =
                new ReplayProgress(files.size(), files.stream().mapToLong(InputFile::size).sum());
        RUNS.put(p.id, p);
        return p;
    }

    /** The run with this id in this JVM, or null (no id, or not a local run). */
    public static ReplayProgress of(String id) {
        return id == null ? null : RUNS.get(id);
    }

    String id() {
        return id;
    }

    /** Finds this run from inside a task of the same JVM. */
    ReadProgress.Locator locator() {
        String run = id;
        return () -> RUNS.get(run);
    }

    @Override
    public void records(long n) {
        records.add(n);
    }

    @Override
    public void fileDone(long bytes) {
        bytesDone.add(bytes);
        filesDone.increment();
    }

    /**
     * @param mayChange versions of the finding may come again (counted once)
     */
    void finding(Finding f, boolean mayChange) {
        if (!mayChange || updatable.add(f.id())) {
            findings.increment();
        }
    }

    public Snapshot snapshot() {
        return new Snapshot(
                filesDone.sum(),
                filesTotal,
                bytesDone.sum(),
                bytesTotal,
                records.sum(),
                findings.sum(),
                (System.nanoTime() - startNanos) / 1_000_000L);
    }

    @Override
    public void close() {
        RUNS.remove(id);
    }
}
