package io.layerwatch.cli;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.replay.Replay;
import io.layerwatch.streaming.RulesSource;
import io.layerwatch.streaming.StreamingJob;
import io.layerwatch.streaming.StreamingOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description =
                "Run the streaming job locally against a real or local Kinesis stream: findings to "
                        + "DIR/findings.jsonl, dead letters to DIR/dead-letter.jsonl, plus any --sink.")
final class RunCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--stream",
            required = true,
            paramLabel = "NAME",
            description = "Kinesis stream name or ARN.")
    String stream;

    @Option(
            names = "--region",
            paramLabel = "R",
            description = "AWS region (default: the SDK's region chain).")
    String region;

    @Option(
            names = "--endpoint",
            paramLabel = "URL",
            description = "Kinesis endpoint override (e.g. an emulator).")
    String endpoint;

    @Option(
            names = "--initial-position",
            paramLabel = "POS",
            defaultValue = "LATEST",
            description = "LATEST, TRIM_HORIZON or AT_TIMESTAMP (default ${DEFAULT-VALUE}).")
    StreamingOptions.InitialPosition initialPosition;

    @Option(
            names = "--initial-timestamp",
            paramLabel = "TIME",
            converter = ReplayCommand.TimeConverter.class,
            description = "With AT_TIMESTAMP: where to start.")
    Instant initialTimestamp;

    @Option(
            names = "--rules",
            paramLabel = "FILE",
            description = "Rules file (re-read every --reload-interval).")
    String rules;

    @Option(
            names = "--reload-interval",
            paramLabel = "DURATION",
            description = "Re-read the rules file this often (e.g. 30s).")
    String reloadInterval;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "layerwatch-out",
            description = "Output directory.")
    Path out;

    @Option(
            names = "--sink",
            paramLabel = "SINK",
            description = "Also deliver to this sink (repeatable), as in replay.")
    List<String> sinks = new ArrayList<>();

    @Option(
            names = "--dry-run",
            description = "Print what the remote sinks would send instead of sending it.")
    boolean dryRun;

    @Option(
            names = "--stop-after",
            paramLabel = "DURATION",
            description = "Stop cleanly after this long (e.g. 30s).")
    String stopAfter;

    @Option(names = "--web-ui", description = "Serve the Flink web UI (http://localhost:8081).")
    boolean webUi;

    @Option(
            names = "--state-backend",
            paramLabel = "KIND",
            defaultValue = "hashmap",
            description =
                    "hashmap (heap) or rocksdb (state larger than memory; what MSF uses) (default ${DEFAULT-VALUE}).")
    String stateBackend;

    @Option(
            names = "--checkpoint-dir",
            paramLabel = "DIR",
            description =
                    "Keep checkpoints here (file path) so a restarted run can resume; default in memory.")
    Path checkpointDir;

    @Override
    public Integer call() throws Exception {
        Duration stop =
                stopAfter == null ? null : StreamingOptions.interval(stopAfter, "--stop-after");
        StreamingOptions options =
                new StreamingOptions(
                        stream,
                        region,
                        endpoint,
                        initialPosition,
                        initialTimestamp,
                        null,
                        rules == null ? StreamingOptions.BUILT_IN_RULES : rules,
                        reloadInterval == null
                                ? null
                                : StreamingOptions.interval(reloadInterval, "--reload-interval"),
                        List.of(),
                        Map.of());
        RulesSource source = new RulesSource(options.rulesUri(), region);
        String yaml = source.read();
        RulesConfig config = source.parse(yaml);
        List<String> names = new ArrayList<>();
        for (String sink : sinks) {
            config = SinkFlags.apply(spec, config, sink, names);
        }
        options =
                new StreamingOptions(
                        options.stream(),
                        region,
                        endpoint,
                        initialPosition,
                        initialTimestamp,
                        null,
                        options.rulesUri(),
                        options.reloadInterval(),
                        names,
                        Map.of());
        Configuration conf = Replay.localConfiguration();
        if (!stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--state-backend " + stateBackend + ": one of hashmap, rocksdb");
        }
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        if (checkpointDir != null) {
            conf.set(
                    CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    checkpointDir.toAbsolutePath().toUri().toString());
        }
        StreamExecutionEnvironment env;
        if (webUi) {
            conf.set(RestOptions.PORT, 8081);
            env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        } else {
            env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        }
        env.enableCheckpointing(10_000);
        StreamingJob.build(env, options, yaml, config, out, dryRun);
        JobClient job = env.executeAsync("layerwatch-run");
        var w = spec.commandLine().getOut();
        w.println(
                "LayerWatch streaming from "
                        + stream
                        + " (rules "
                        + config.source()
                        + "), writing "
                        + out
                        + (webUi ? "; web UI at http://localhost:8081" : "")
                        + (stop == null ? "; Ctrl-C stops" : ""));
        w.flush();
        if (stop == null) {
            job.getJobExecutionResult().get();
            return 0;
        }
        try {
            job.getJobExecutionResult().get(stop.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException expected) {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        w.println("stopped after " + stopAfter + "; findings in " + out.resolve("findings.jsonl"));
        return 0;
    }
}
