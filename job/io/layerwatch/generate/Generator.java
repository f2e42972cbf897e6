package io.layerwatch.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Synthetic CloudTrail for an AWS organization that runs containers: benign background (most of it
 * other services, the rest ECR: CI builds, nodes and tasks pulling layer by layer, deployments,
 * developers) plus labelled attack scenarios, one per rule id ({@link Scenario}). Deterministic:
 * the same options give the same bytes.
 *
 * <h2>Files ({@link #write})</h2>
 *
 * <pre>
 * DIR/AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz
 * DIR/ecr-scan-events/ACCOUNT/REGION/YYYY/MM/DD/ACCOUNT_ecr-scan-events_REGION_YYYYMMDDTHHmmZ_UNIQUE.jsonl.gz
 * DIR/labels.jsonl   one {@link Label} per injected scenario
 * DIR/rules.yaml     the organization's trust settings: replay with --rules DIR/rules.yaml
 * </pre>
 *
 * {@code layerwatch replay --rules DIR/rules.yaml --out OUT DIR} reads the trail and the scan
 * events (directory walks skip labels.jsonl and rules.yaml).
 *
 * <h2>Streaming (benchmarks)</h2>
 *
 * {@link #open} returns a {@link Trail}: an iterator of {@link LogFile}s in delivery order,
 * generated five minutes at a time, so ten million records need no more memory than one interval's
 * files.
 *
 * <pre>{@code
 * // 1M records, ECR only, no attacks: raw JSON records (one CloudTrail record or EventBridge event each)
 * GeneratorOptions ecrOnly = GeneratorOptions.of(1_000_000, 42).withEcrShare(1.0).withScenarios(Set.of());
 * Iterator<byte[]> records = Generator.open(ecrOnly).records();
 * // the default mix (5% ECR) as whole CloudTrail log files: f.gzip() is the .json.gz, f.content() the JSON
 * Trail trail = Generator.open(GeneratorOptions.of(10_000_000, 42));
 * trail.forEachRemaining(f -> send(f.path(), f.gzip()));
 * }</pre>
 *
 * The ECR share counts ECR CloudTrail records and scan events among the benign records; attack
 * records (a few hundred per injection set) are all ECR and come on top, within {@code events}.
 */
public final class Generator {
    public static final String LABELS = "labels.jsonl";
    public static final String RULES = "rules.yaml";

    /** What {@link #write} produced. */
    public record Report(
            long records,
            long ecrRecords,
            long scanEvents,
            long files,
            long bytes,
            List<Label> labels) {}

    private Generator() {}

    public static Trail open(GeneratorOptions options) {
        return new Trail(options);
    }

    /** The labels of the scenarios {@code options} injects, without generating the trail. */
    public static List<Label> labels(GeneratorOptions options) {
        return open(options).labels();
    }

    /**
     * Writes the trail, the scan events, labels.jsonl and rules.yaml under {@code dir}. Files are
     * compressed and written on a few threads while the next ones are generated.
     *
     * @throws IllegalArgumentException when {@code dir} already holds a generated trail
     */
    public static Report write(Path dir, GeneratorOptions options) throws IOException {
        for (String existing : List.of("AWSLogs", LogFile.SCAN_EVENTS_DIR, LABELS)) {
            if (Files.exists(dir.resolve(existing))) {
                throw new IllegalArgumentException(
                        "--out "
                                + dir
                                + " already holds "
                                + existing
                                + ": use an empty directory (a replay would mix both trails)");
            }
        }
        Files.createDirectories(dir);
        Trail trail = open(options);
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        ExecutorService pool =
                Executors.newFixedThreadPool(
                        threads,
                        r -> {
                            Thread t = new Thread(r, "layerwatch-generate-writer");
                            t.setDaemon(true);
                            return t;
                        });
        Semaphore inFlight = new Semaphore(threads * 4);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong bytes = new AtomicLong();
        Set<Path> folders = new HashSet<>();
        try {
            while (trail.hasNext() && failure.get() == null) {
                LogFile f = trail.next();
                Path target = dir.resolve(f.path());
                if (folders.add(target.getParent())) {
                    Files.createDirectories(target.getParent());
                }
                inFlight.acquire();
                pool.execute(
                        () -> {
                            try {
                                byte[] gz = f.gzip();
                                Files.write(target, gz);
                                bytes.addAndGet(gz.length);
                            } catch (Throwable t) {
                                failure.compareAndSet(null, t);
                            } finally {
                                inFlight.release();
                            }
                        });
            }
            pool.shutdown();
            if (!pool.awaitTermination(1, TimeUnit.HOURS)) {
                throw new IOException("writing the generated files did not finish within an hour");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing " + dir, e);
        } finally {
            pool.shutdownNow();
        }
        Throwable t = failure.get();
        if (t instanceof IOException io) {
            throw io;
        } else if (t instanceof UncheckedIOException io) {
            throw io.getCause();
        } else if (t != null) {
            throw new IOException("writing a generated file failed: " + t, t);
        }
        StringBuilder labels = new StringBuilder();
        trail.labels().forEach(l -> labels.append(l.toJson()).append('\n'));
        Files.writeString(dir.resolve(LABELS), labels, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(RULES), trail.rulesYaml(), StandardCharsets.UTF_8);
        Trail.Stats s = trail.stats();
        return new Report(
                s.records(),
                s.ecrRecords(),
                s.scanEvents(),
                s.files(),
                bytes.get(),
                trail.labels());
    }

    /** Raw records in delivery order (see {@link Trail#records()}). */
    public static Iterator<byte[]> records(GeneratorOptions options) {
        return open(options).records();
    }
}
