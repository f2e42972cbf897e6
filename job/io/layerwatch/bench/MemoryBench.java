package io.layerwatch.bench;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.generate.Generator;
import io.layerwatch.generate.GeneratorOptions;
import io.layerwatch.pipeline.InputScope;
import io.layerwatch.replay.InputFiles;
import io.layerwatch.replay.Replay;
import io.layerwatch.replay.S3Inputs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.executiongraph.ArchivedExecutionGraph;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

/**
 * Replays a large generated trail (default 10M records, the 5% ECR mix, no attacks) whose ECR calls
 * are spread over many principals, and reports the heap ({@link HeapWatch}) and the keyed state:
 * Flink's checkpointed size per operator (checkpoints every {@value #CHECKPOINT_SECONDS} s, heap
 * state backend, full snapshots) and the size of one entry per key, serialized with the serializers
 * the state uses.
 */
public final class MemoryBench {
    public static final long DEFAULT_EVENTS = 10_000_000;
    static final int CHECKPOINT_SECONDS = 10;
    private static final long GIB = 1L << 30;

    public record Report(
            Machine machine,
            long records,
            long ecrCalls,
            int principalsRequested,
            long principals,
            long pullPairs,
            double seconds,
            long baselineHeap,
            long peakHeapAfterGc,
            long peakHeapUsed,
            long collections,
            int checkpoints,
            Map<String, Long> stateBytesByOperator,
            long largestCheckpointBytes,
            Map<String, Double> bytesPerKey,
            long eventsRead,
            long findings) {

        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("records", records);
            m.put("ecrCalls", ecrCalls);
            m.put("principalsRequested", principalsRequested);
            m.put("principals", principals);
            m.put("repositoryPrincipalPairs", pullPairs);
            m.put("replaySeconds", ThroughputBench.round(seconds, 1));
            m.put("maxHeapBytes", machine.maxHeapBytes());
            m.put("baselineHeapBytes", baselineHeap);
            m.put("peakHeapAfterGcBytes", peakHeapAfterGc);
            m.put("peakHeapUsedBytes", peakHeapUsed);
            m.put("gcCount", collections);
            m.put("withinOneGiB", peakHeapAfterGc < GIB && machine.maxHeapBytes() <= GIB);
            m.put("checkpoints", checkpoints);
            m.put("largestCheckpointStateBytes", largestCheckpointBytes);
            m.put("stateBytesByOperator", stateBytesByOperator);
            m.put(
                    "stateBytesPerPrincipal",
                    principals == 0
                            ? 0
                            : ThroughputBench.round(
                                    (double) largestCheckpointBytes / principals, 1));
            m.put("bytesPerKeyEntry", bytesPerKey);
            m.put("eventsRead", eventsRead);
            m.put("findings", findings);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("memory", m);
            out.put("machine", machine.json());
            return out;
        }
    }

    private MemoryBench() {}

    public static Report run(
            long events, int principals, int parallelism, long seed, Path work, PrintWriter log)
            throws Exception {
        Machine machine = Machine.current();
        log.println("machine: " + machine);
        if (machine.maxHeapBytes() > GIB) {
            log.println(
                    "note: the maximum heap is "
                            + Machine.mib(machine.maxHeapBytes())
                            + " MiB; run with -Xmx1g to show the replay fits in 1 GiB");
        }
        GeneratorOptions options = GeneratorOptions.of(events, seed).withScenarios(Set.of());
        int accounts =
                RulesConfigLoader.fromYaml(Generator.open(options).rulesYaml(), "generated rules")
                        .globalAllowlist()
                        .trustedAccounts()
                        .size();
        PrincipalSpread spread = new PrincipalSpread(principals, Math.max(1, accounts));
        log.println(
                "generating "
                        + events
                        + " records (5% ECR, ECR calls spread over "
                        + principals
                        + " principals)");
        try {
            TrailFiles trail =
                    TrailFiles.write(options, work.resolve("trail"), true, spread::rewrite);
            log.printf(
                    "generated %,d records (%,d ECR calls, %,d principals, %,d repository/principal pairs), "
                            + "%,d MiB gzip%n",
                    trail.records(),
                    spread.ecrCalls,
                    spread.principals.size(),
                    spread.pulls.size(),
                    Machine.mib(trail.bytes()));
            Map<String, Double> perKey = entrySizes(spread);
            long principalCount = spread.principals.size();
            long pairs = spread.pulls.size();
            long ecrCalls = spread.ecrCalls;
            spread = null; // its sets are not part of the replay's heap
            RulesConfig rules = quietFirstSeen(trail.rulesYaml(), options.span());

            Configuration conf = Replay.localConfiguration();
            conf.set(
                    CheckpointingOptions.CHECKPOINTING_INTERVAL,
                    Duration.ofSeconds(CHECKPOINT_SECONDS));
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(
                    CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    work.resolve("checkpoints").toUri().toString());
            conf.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 10_000);
            Replay.Job job =
                    Replay.prepare(
                            InputFiles.local(trail.files()),
                            rules,
                            InputScope.ALL,
                            work.resolve("out"),
                            parallelism,
                            Set.of(),
                            false,
                            new S3Inputs(null),
                            conf);
            long baseline = HeapWatch.liveNow();
            log.println(
                    "replaying with checkpoints every "
                            + CHECKPOINT_SECONDS
                            + " s; heap in use before: "
                            + Machine.mib(baseline)
                            + " MiB");
            try (job;
                    HeapWatch heap = new HeapWatch();
                    MiniCluster cluster =
                            new MiniCluster(
                                    new MiniClusterConfiguration.Builder()
                                            .setConfiguration(conf)
                                            .setNumTaskManagers(1)
                                            .setNumSlotsPerTaskManager(parallelism)
                                            .build())) {
                cluster.start();
                JobGraph graph = job.environment().getStreamGraph().getJobGraph();
                long start = System.nanoTime();
                long startMillis = System.currentTimeMillis();
                cluster.submitJob(graph).get();
                JobResult result = cluster.requestJobResult(graph.getJobID()).get();
                double seconds = (System.nanoTime() - start) / 1e9;
                JobExecutionResult done =
                        result.toJobExecutionResult(MemoryBench.class.getClassLoader());
                ArchivedExecutionGraph executed =
                        cluster.getArchivedExecutionGraph(graph.getJobID()).get();
                Replay.Result replay = job.finish(done);
                Map<String, Long> byOperator = new LinkedHashMap<>();
                long largest = 0;
                int checkpoints = 0;
                for (AbstractCheckpointStats c :
                        executed.getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
                    if (c.getStatus() != CheckpointStatsStatus.COMPLETED) {
                        continue;
                    }
                    checkpoints++;
                    largest = Math.max(largest, c.getStateSize());
                    log.printf(
                            "  checkpoint %d: %,d KiB, %.1f s after the start, %.1f s to complete%n",
                            c.getCheckpointId(),
                            c.getStateSize() / 1024,
                            (c.getTriggerTimestamp() - startMillis) / 1e3,
                            c.getEndToEndDuration() / 1e3);
                    for (TaskStateStats t : c.getAllTaskStateStats()) {
                        AccessExecutionJobVertex v = executed.getJobVertex(t.getJobVertexId());
                        byOperator.merge(
                                v == null ? t.getJobVertexId().toString() : v.getName(),
                                t.getStateSize(),
                                Math::max);
                    }
                }
                long findings =
                        replay.summary().findings().values().stream()
                                .mapToLong(Long::longValue)
                                .sum();
                Report report =
                        new Report(
                                machine,
                                trail.records(),
                                ecrCalls,
                                principals,
                                principalCount,
                                pairs,
                                seconds,
                                baseline,
                                heap.peakAfterGc(),
                                heap.peakUsed(),
                                heap.collections(),
                                checkpoints,
                                byOperator,
                                largest,
                                perKey,
                                replay.summary().eventsRead(),
                                findings);
                log.printf(
                        "replayed %,d records in %.0f s; heap: peak after GC %,d MiB, peak in use %,d MiB, max %,d MiB;"
                                + " largest checkpoint %,d KiB (%d checkpoints)%n",
                        report.eventsRead(),
                        seconds,
                        Machine.mib(report.peakHeapAfterGc()),
                        Machine.mib(report.peakHeapUsed()),
                        Machine.mib(machine.maxHeapBytes()),
                        largest / 1024,
                        checkpoints);
                return report;
            }
        } finally {
            for (String dir : new String[] {"trail", "out", "checkpoints"}) {
                TrailFiles.delete(work.resolve(dir));
            }
        }
    }

    /**
     * first-seen-puller learns for the whole trail, and the spread principals may push (CI roles'
     * pushes are renamed too): they would otherwise each be a "new puller" or "unexpected push"
     * finding, and replay keeps findings in memory until the end. The rules' state (every pair,
     * every pusher) is the same.
     */
    static RulesConfig quietFirstSeen(String rulesYaml, Duration span) {
        String learning = "learningPeriod: " + (span.toHours() + 1) + "h";
        String yaml =
                rulesYaml
                        .replaceAll("learningPeriod: \\S+", learning)
                        .replace(
                                "    pushers: [",
                                "    pushers: [\"arn:aws:iam::*:role/eks-node-bench-*\", ");
        if (!yaml.contains(learning)) {
            yaml += "\nrules:\n  first-seen-puller:\n    " + learning + "\n";
        }
        return RulesConfigLoader.fromYaml(
                yaml, "the generated rules.yaml, first-seen-puller learning for the whole trail");
    }

    /**
     * One entry of each keyed state that grows with the keys, serialized with Flink's serializers
     * for its types, averaged over the trail's ECR calls (the first {@code 20,000}):
     * first-seen-puller's last-seen entry (principal ARN, last time; no TTL stamp: the replay runs
     * at parallelism 1, where the rule keeps its history without TTL, and a streaming job's adds 8
     * bytes) per (repository, principal) pair, and one event buffered by a matcher or CEP (event,
     * sequence number).
     */
    static Map<String, Double> entrySizes(PrincipalSpread spread) throws Exception {
        SerializerConfigImpl config = new SerializerConfigImpl();
        TypeSerializer<EcrEvent> events =
                TypeInformation.of(EcrEvent.class).createSerializer(config);
        TypeSerializer<String> strings = TypeInformation.of(String.class).createSerializer(config);
        DataOutputSerializer out = new DataOutputSerializer(4096);
        long eventBytes = 0;
        long arnBytes = 0;
        for (EcrEvent e : spread.sample) {
            out.clear();
            events.serialize(e, out);
            eventBytes += out.length();
            out.clear();
            strings.serialize(e.principal().arn(), out);
            arnBytes += out.length();
        }
        int n = Math.max(1, spread.sample.size());
        Map<String, Double> sizes = new LinkedHashMap<>();
        sizes.put(
                "firstSeenPullerPerRepositoryPrincipal",
                ThroughputBench.round((double) arnBytes / n + 8, 1));
        sizes.put("matcherPerBufferedEvent", ThroughputBench.round((double) eventBytes / n + 8, 1));
        return sizes;
    }
}
