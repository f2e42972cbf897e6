package io.layerwatch.bench;

import io.layerwatch.replay.Replay;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

/**
 * What {@code replay --parallelism N} gains over parallelism 1: the replay job on the same
 * generated trail (gzip log files, as {@code generate} writes them; the realistic mix of 5% ECR
 * records unless told), at parallelism 1 and N alternately on one local cluster, so that what else
 * the machine does weighs on both.
 */
public final class ScalingBench {
    /** Parallelism N should be at least as fast as 1 (on two cores: it must not cost). */
    public static final double TARGET = 1.0;

    /**
     * Records per second over the job's net runtime, medians of the measured runs; the ratio is pN
     * / p1.
     */
    @SuppressWarnings("ArrayRecordComponent") // run rates, never compared
    public record Report(
            Machine machine,
            long events,
            double ecrShare,
            int parallelism,
            int warmUps,
            int iterations,
            long seed,
            double p1PerSec,
            double pNPerSec,
            double[] p1Runs,
            double[] pNRuns) {
        public double ratio() {
            return pNPerSec / p1PerSec;
        }

        public Map<String, Object> json() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("p1PerSec", ThroughputBench.round(p1PerSec, 1));
            out.put("p" + parallelism + "PerSec", ThroughputBench.round(pNPerSec, 1));
            out.put("ratio", ThroughputBench.round(ratio(), 4));
            out.put("target", TARGET);
            out.put("targetMet", ratio() >= TARGET);
            out.put(
                    "p1Runs",
                    Arrays.stream(p1Runs).map(v -> ThroughputBench.round(v, 1)).toArray());
            out.put(
                    "p" + parallelism + "Runs",
                    Arrays.stream(pNRuns).map(v -> ThroughputBench.round(v, 1)).toArray());
            out.put("ecrShare", ecrShare);
            ThroughputBench.putContext(
                    out, machine, events, parallelism, warmUps, iterations, seed);
            return out;
        }
    }

    private ScalingBench() {}

    /**
     * Replays one generated trail at parallelism 1 and N alternately and reports both rates.
     *
     * @param parallelism N, compared with 1 (at least 2)
     */
    public static Report run(
            long events,
            double ecrShare,
            int parallelism,
            int warmUps,
            int iterations,
            long seed,
            Path work,
            PrintWriter log)
            throws Exception {
        Machine machine = Machine.current();
        log.println("machine: " + machine);
        log.println(
                "scaling: generating "
                        + events
                        + " records ("
                        + Math.round(ecrShare * 100)
                        + "% ECR, gzip)");
        Path dir = work.resolve("scaling");
        try (MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(Replay.localConfiguration())
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(parallelism)
                                .build())) {
            cluster.start();
            TrailFiles trail =
                    TrailFiles.write(
                            ThroughputBench.options(events, seed, ecrShare),
                            dir.resolve("trail"),
                            true,
                            null);
            double[] p1 = new double[iterations];
            double[] pN = new double[iterations];
            for (int i = -warmUps; i < iterations; i++) {
                double one = rate(trail, 1, cluster, dir.resolve("out-1-" + (i + warmUps)));
                double n = rate(trail, parallelism, cluster, dir.resolve("out-n-" + (i + warmUps)));
                log.printf(
                        "  %s: parallelism 1 %,.0f records/s, parallelism %d %,.0f records/s%n",
                        i < 0 ? "warm-up " + (i + warmUps + 1) : "run " + (i + 1),
                        one,
                        parallelism,
                        n);
                if (i >= 0) {
                    p1[i] = one;
                    pN[i] = n;
                }
            }
            Report r =
                    new Report(
                            machine,
                            trail.records(),
                            ecrShare,
                            parallelism,
                            warmUps,
                            iterations,
                            seed,
                            ThroughputBench.median(p1),
                            ThroughputBench.median(pN),
                            p1,
                            pN);
            log.printf(
                    "scaling: parallelism 1 %,.0f records/s, parallelism %d %,.0f records/s, p%d/p1 %.3f (target %.1f)%n",
                    r.p1PerSec(), parallelism, r.pNPerSec(), parallelism, r.ratio(), TARGET);
            return r;
        } finally {
            TrailFiles.delete(dir);
        }
    }

    private static double rate(TrailFiles trail, int parallelism, MiniCluster cluster, Path out)
            throws Exception {
        System.gc();
        Replay.Result run = ThroughputBench.replay(trail, parallelism, cluster, out);
        if (run.summary().eventsRead() != trail.records()) {
            throw new IllegalStateException(
                    "the replay read "
                            + run.summary().eventsRead()
                            + " of "
                            + trail.records()
                            + " records at parallelism "
                            + parallelism);
        }
        return trail.records() / (run.job().getNetRuntime() / 1000.0);
    }
}
