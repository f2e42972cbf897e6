package io.layerwatch.replay;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.finding.Finding;
import io.layerwatch.pipeline.Counters;
import io.layerwatch.pipeline.InputScope;
import io.layerwatch.pipeline.LayerWatchPipeline;
import io.layerwatch.pipeline.Payload;
import io.layerwatch.pipeline.ReadProgress;
import io.layerwatch.sinks.FindingSinks;
import io.layerwatch.sinks.local.JsonLinesFileSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * The replay job submitted to a Flink cluster (its JobManager's REST address) instead of a local
 * MiniCluster. The inputs are listed in the job (one task: S3 listings and directory walks run on a
 * TaskManager, the job graph holds only the arguments) and read by the decoders, spread over the
 * TaskManagers' slots. Findings and dead letters come back to this process, which writes
 * DIR/findings.jsonl, DIR/dead-letter.jsonl and DIR/summary.json as a local replay does. A failed
 * task fails the replay (no restarts: a bounded replay is run again, not resumed).
 */
public final class ClusterReplay {

    private ClusterReplay() {}

    /** A JobManager's REST endpoint. */
    public record Address(String host, int port) {
        /** HOST:PORT; an IPv6 host in brackets. */
        public static Address parse(String value) {
            int colon = value.lastIndexOf(':');
            String host =
                    colon <= 0 ? "" : value.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
            int port = -1;
            try {
                port = colon < 0 ? -1 : Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                // reported below
            }
            if (host.isEmpty() || port < 1 || port > 65535) {
                throw new IllegalArgumentException(
                        "'" + value + "' is not HOST:PORT (the JobManager's REST address)");
            }
            return new Address(host, port);
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * What the job is submitted with: a replay's ({@link Replay#jobConfiguration}), no restarts,
     * and keyed state on the heap whatever the cluster's default (a streaming cluster's RocksDB
     * costs a replay, which takes no checkpoints, most of its speed).
     */
    static Configuration configuration() {
        Configuration conf = Replay.jobConfiguration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        return conf;
    }

    /**
     * Runs the replay of {@code inputs} on the cluster and waits for it.
     *
     * @param inputs s3://bucket/prefix, or files and directories at the same path on every
     *     TaskManager (absolute: the TaskManagers' working directory is not this one's)
     * @param jobJar the jar with LayerWatch's classes that the cluster runs them from
     *     (layerwatch-msf.jar)
     * @param log told the job's id once it is submitted
     */
    public static Replay.Result run(
            List<String> inputs,
            RulesConfig config,
            InputScope scope,
            Path outDir,
            int parallelism,
            S3Inputs s3,
            Address cluster,
            Path jobJar,
            Consumer<String> log)
            throws Exception {
        Files.createDirectories(outDir);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment(
                        cluster.host(), cluster.port(), configuration(), jobJar.toString());
        env.setParallelism(parallelism);
        DataStream<Payload> fileList =
                env.fromData("inputs")
                        .flatMap(new ListInputs(inputs, scope, s3))
                        .returns(Payload.class)
                        .uid("list-inputs")
                        .name("List inputs")
                        .setParallelism(1);
        LayerWatchPipeline.Outputs out =
                Replay.pipeline(
                        fileList, config, scope, parallelism, true, s3, ReadProgress.Locator.NONE);
        CloseableIterator<Finding> findings = out.findings().collectAsync();
        CloseableIterator<DeadLetter> deadLetters =
                out.deadLetters().union(Replay.customActionsNotRun(out)).collectAsync();
        // Each result stream is fetched on a thread of its own: a collect sink whose results nobody
        // fetches stops, and with it the job.
        ExecutorService writers =
                Executors.newFixedThreadPool(
                        2,
                        r -> {
                            Thread t = new Thread(r, "replay results");
                            t.setDaemon(true);
                            return t;
                        });
        try (Replay.Job job = Replay.Job.of(env, outDir);
                findings;
                deadLetters) {
            JobClient client = env.executeAsync("layerwatch-replay");
            log.accept("replay job " + client.getJobID() + " submitted to " + cluster);
            CompletableFuture<Void> written =
                    CompletableFuture.allOf(
                            write(
                                    findings,
                                    FindingSinks.findingsFile(
                                            outDir.resolve(Replay.FINDINGS), config.sinks()),
                                    writers),
                            write(
                                    deadLetters,
                                    JsonLinesFileSink.<DeadLetter>appending(
                                            outDir.resolve(Replay.DEAD_LETTERS)),
                                    writers));
            JobExecutionResult result;
            try {
                result = client.getJobExecutionResult().get();
                written.get();
            } catch (ExecutionException e) {
                if (!client.getJobStatus().get().isTerminalState()) {
                    client.cancel().get();
                }
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            return job.finish(result);
        } finally {
            writers.shutdownNow();
        }
    }

    /**
     * Writes what the iterator returns to the sink's file as the local job's sink would, on another
     * thread.
     */
    private static <T> CompletableFuture<Void> write(
            CloseableIterator<T> results, Sink<T> sink, Executor on) {
        return CompletableFuture.runAsync(
                () -> {
                    try (SinkWriter<T> writer = writer(sink)) {
                        while (results.hasNext()) {
                            writer.write(results.next(), null);
                        }
                        writer.flush(true);
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                },
                on);
    }

    @SuppressWarnings("deprecation")
    private static <T> SinkWriter<T> writer(Sink<T> sink) throws IOException {
        return sink.createWriter((Sink.InitContext) null); // the file sinks use no context
    }

    /**
     * Expands the replay's arguments where the job runs, as {@link InputFiles#expand} does for a
     * local replay: the files in delivery order, counted as {@value Counters#FILES_LISTED}.
     */
    static final class ListInputs extends RichFlatMapFunction<String, Payload> {
        private static final long serialVersionUID = 1L;
        private final ArrayList<String> inputs;
        private final InputScope scope;
        private final S3Inputs s3;

        ListInputs(List<String> inputs, InputScope scope, S3Inputs s3) {
            this.inputs = new ArrayList<>(inputs);
            this.scope = scope;
            this.s3 = s3;
        }

        @Override
        public void flatMap(String ignored, Collector<Payload> out) throws IOException {
            List<InputFile> files =
                    InputFiles.expand(inputs, scope, InputStream.nullInputStream(), s3);
            LongCounter listed = getRuntimeContext().getLongCounter(Counters.FILES_LISTED);
            listed.add(files.size());
            for (InputFile f : files) {
                out.collect(f.payload());
            }
        }
    }
}
