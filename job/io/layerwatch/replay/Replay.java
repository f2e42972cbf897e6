package io.layerwatch.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.Severity;
import io.layerwatch.config.SinksConfig;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.pipeline.Counters;
import io.layerwatch.pipeline.DecodeFunction;
import io.layerwatch.pipeline.FileOrderWatermarks;
import io.layerwatch.pipeline.InputScope;
import io.layerwatch.pipeline.JobShape;
import io.layerwatch.pipeline.JobShape.Keying;
import io.layerwatch.pipeline.LayerWatchPipeline;
import io.layerwatch.pipeline.Payload;
import io.layerwatch.pipeline.ReadProgress;
import io.layerwatch.sinks.FindingSinks;
import io.layerwatch.sinks.delivery.FileDeadLetters;
import io.layerwatch.sinks.local.JsonLinesFileSink;
import io.layerwatch.util.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Replays CloudTrail files through the pipeline on a local MiniCluster and writes
 * DIR/findings.jsonl, DIR/dead-letter.jsonl and DIR/summary.json.
 */
public final class Replay {

    public static final String FINDINGS = "findings.jsonl";
    public static final String DEAD_LETTERS = "dead-letter.jsonl";
    public static final String SUMMARY = "summary.json";

    /**
     * What a replay read, found and wrote.
     *
     * @param deadLettered input the decoder could not use (dead-letter.jsonl)
     * @param sinkDeadLettered findings a remote sink could not deliver in this run (counted in the
     *     sinks' dead-letter file; 0 when sinks.deadLetter is s3 or sqs)
     * @param cloudWatchLogsRejected CloudWatch Logs messages refused by their sender (part of
     *     deadLettered)
     * @param duplicatesDropped copies of events already seen (same account and event id) within the
     *     lateness bound
     * @param incidents the attack-sequence incidents, most severe first (at most {@link
     *     #MAX_INCIDENTS})
     */
    public record Summary(
            long eventsRead,
            long eventsMatched,
            Map<String, Long> findings,
            Map<String, Long> bySeverity,
            long deadLettered,
            long late,
            long scansFailed,
            long sinkDeadLettered,
            long cloudWatchLogsRejected,
            long duplicatesDropped,
            List<IncidentLine> incidents) {

        public Summary(
                long eventsRead,
                long eventsMatched,
                Map<String, Long> findings,
                Map<String, Long> bySeverity,
                long deadLettered,
                long late,
                long scansFailed) {
            this(
                    eventsRead,
                    eventsMatched,
                    findings,
                    bySeverity,
                    deadLettered,
                    late,
                    scansFailed,
                    0,
                    0,
                    0,
                    List.of());
        }
    }

    /** Incidents summary.json lists; the rest are counted in findings. */
    public static final int MAX_INCIDENTS = 100;

    /** An incident as summary.json lists it. */
    public record IncidentLine(
            String id,
            String severity,
            String actor,
            List<String> rules,
            String firstEventTime,
            String lastEventTime,
            String story) {

        static IncidentLine of(JsonNode f) {
            List<String> rules = new ArrayList<>();
            f.path("details").path("rules").forEach(r -> rules.add(r.asText()));
            return new IncidentLine(
                    f.path("id").asText(),
                    f.path("severity").asText(),
                    f.path("key").asText(),
                    rules,
                    f.path("firstEventTime").asText(),
                    f.path("lastEventTime").asText(),
                    f.path("description").asText());
        }
    }

    static final long PROGRESS_MILLIS = 250;

    private Replay() {}

    /**
     * The job configuration every local run uses: {@link #jobConfiguration}, and any free port for
     * the local cluster's REST endpoint (a replay or bench must not fail because 8081 is taken).
     */
    public static Configuration localConfiguration() {
        Configuration conf = jobConfiguration();
        conf.set(RestOptions.BIND_PORT, "0");
        return conf;
    }

    /**
     * What every replay job runs with, local or on a cluster: no silent Kryo fallback; object reuse
     * (the types on the wire are immutable records, so chained operators may share them instead of
     * copying each one).
     */
    static Configuration jobConfiguration() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        return conf;
    }

    public static Summary run(
            List<Path> files,
            RulesConfig config,
            Instant from,
            Instant to,
            Path outDir,
            int parallelism)
            throws Exception {
        return run(files, config, from, to, outDir, parallelism, Set.of(), false);
    }

    /**
     * Replays the files into findings in {@code outDir}.
     *
     * @param sinks remote sinks to deliver to besides findings.jsonl (settings from the config's
     *     sinks: section)
     * @param dryRun print what the remote sinks would send instead of sending it
     */
    public static Summary run(
            List<Path> files,
            RulesConfig config,
            Instant from,
            Instant to,
            Path outDir,
            int parallelism,
            Set<String> sinks,
            boolean dryRun)
            throws Exception {
        return run(
                InputFiles.local(files),
                config,
                InputScope.between(from, to),
                outDir,
                parallelism,
                sinks,
                dryRun,
                new S3Inputs(null),
                null);
    }

    /**
     * Replays {@code files} (in this order: {@link InputFiles#expand} sorts them by delivery
     * stamp).
     *
     * @param sinks remote sinks to deliver to besides findings.jsonl (settings from the config's
     *     sinks: section)
     * @param dryRun print what the remote sinks would send instead of sending it
     * @param s3 reads s3:// files
     * @param progress called every {@value #PROGRESS_MILLIS} ms while the job runs and once at the
     *     end; or null
     */
    public static Summary run(
            List<InputFile> files,
            RulesConfig config,
            InputScope scope,
            Path outDir,
            int parallelism,
            Set<String> sinks,
            boolean dryRun,
            S3Inputs s3,
            Consumer<ReplayProgress.Snapshot> progress)
            throws Exception {
        try (Job job =
                prepare(
                        files,
                        config,
                        scope,
                        outDir,
                        parallelism,
                        sinks,
                        dryRun,
                        s3,
                        localConfiguration())) {
            return job.execute(progress).summary();
        }
    }

    /** A finished replay: the summary it wrote and Flink's result (accumulators, net runtime). */
    public record Result(Summary summary, JobExecutionResult job) {}

    /** A replay job defined on its (local) environment and not run yet; close it when done. */
    public static final class Job implements AutoCloseable {
        private final StreamExecutionEnvironment env;
        private final Path outDir;
        private final ReplayProgress run;
        private final Path sinkDeadLetters;
        private final long sinkDeadLettersBefore;

        private Job(
                StreamExecutionEnvironment env,
                Path outDir,
                ReplayProgress run,
                Path sinkDeadLetters)
                throws IOException {
            this.env = env;
            this.outDir = outDir;
            this.run = run;
            this.sinkDeadLetters = sinkDeadLetters;
            this.sinkDeadLettersBefore = lines(sinkDeadLetters);
        }

        /**
         * A job defined on {@code env} elsewhere (a cluster's): no progress, no sink dead-letter
         * file.
         */
        static Job of(StreamExecutionEnvironment env, Path outDir) throws IOException {
            return new Job(env, outDir, ReplayProgress.start(List.of()), null);
        }

        public StreamExecutionEnvironment environment() {
            return env;
        }

        /** Runs the job on the environment's local MiniCluster and writes summary.json. */
        public Result execute(Consumer<ReplayProgress.Snapshot> progress) throws Exception {
            return finish(Replay.execute(env, run, progress));
        }

        /**
         * Writes summary.json from the result of the job run elsewhere (e.g. on a MiniCluster of
         * one's own).
         */
        public Result finish(JobExecutionResult result) throws IOException {
            Summary s = summarize(result, outDir.resolve(FINDINGS));
            // The sink writers append to a file of their own (no accumulators in sink writers):
            // count this run's lines.
            Summary summary =
                    new Summary(
                            s.eventsRead(),
                            s.eventsMatched(),
                            s.findings(),
                            s.bySeverity(),
                            s.deadLettered(),
                            s.late(),
                            s.scansFailed(),
                            Math.max(0, lines(sinkDeadLetters) - sinkDeadLettersBefore),
                            s.cloudWatchLogsRejected(),
                            s.duplicatesDropped(),
                            s.incidents());
            Files.writeString(
                    outDir.resolve(SUMMARY),
                    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(summary)
                            + "\n");
            return new Result(summary, result);
        }

        @Override
        public void close() {
            run.close();
        }
    }

    /**
     * Defines the replay of {@code files} as {@link #run} does, on a local environment with {@code
     * conf}.
     */
    public static Job prepare(
            List<InputFile> files,
            RulesConfig config,
            InputScope scope,
            Path outDir,
            int parallelism,
            Set<String> sinks,
            boolean dryRun,
            S3Inputs s3,
            Configuration conf)
            throws IOException {
        Files.createDirectories(outDir);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        env.setParallelism(1); // the rules; the decoders run at the given parallelism
        List<Payload> payloads = new ArrayList<>();
        for (InputFile f : files) {
            payloads.add(f.payload());
        }
        DataStream<Payload> fileList =
                payloads.isEmpty()
                        ? env.fromData(List.of(Payload.ofBytes("(no input)", new byte[0])))
                        : env.fromData(payloads);
        ReplayProgress run = ReplayProgress.start(files);
        LayerWatchPipeline.Outputs out =
                pipeline(fileList, config, scope, parallelism, false, s3, run.locator());
        Set<String> attach = new LinkedHashSet<>();
        attach.add("jsonl");
        attach.addAll(sinks);
        DataStream<Finding> findings =
                out.findings()
                        .map(new CountFindings(run.id(), config.sinks()))
                        .uid("progress-findings")
                        .name("Count findings");
        FindingSinks.attach(
                findings,
                config.sinks()
                        .with(
                                config.sinks()
                                        .sink("jsonl")
                                        .enabled(true)
                                        .withPolicy(SinksConfig.Policy.ALL)),
                attach,
                outDir,
                dryRun);
        out.deadLetters()
                .union(customActionsNotRun(out))
                .sinkTo(JsonLinesFileSink.<DeadLetter>appending(outDir.resolve(DEAD_LETTERS)))
                .uid("sink-dead-letter-jsonl")
                .name("dead-letter.jsonl")
                .setParallelism(1);
        return new Job(
                env,
                outDir,
                run,
                FindingSinks.deadLetters(config.sinks(), outDir) instanceof FileDeadLetters f
                        ? Path.of(f.path())
                        : null);
    }

    /**
     * The replay job behind its file list (in delivery order, parallelism 1): one reader of the
     * list sends the files round-robin to {@code decoders} decoders, with the file order's
     * watermarks (FileOrderWatermarks explains why parallel decoding then makes nothing late). Each
     * decoder reads, inflates, prefilters and decodes its files on a thread of its own ({@code
     * DecodeAhead}). Locally ({@code spreadRules} false, the job at parallelism 1) every rule runs
     * in one task, keys in place, on the events of all decoders in event time order: no event is
     * serialized more than once and each is judged as at parallelism 1. On a cluster the rules run
     * at the job's parallelism, each keyed rule reached by a keyBy.
     */
    static LayerWatchPipeline.Outputs pipeline(
            DataStream<Payload> fileList,
            RulesConfig config,
            InputScope scope,
            int decoders,
            boolean spreadRules,
            S3Inputs s3,
            ReadProgress.Locator progress) {
        DataStream<Payload> source =
                fileList.transform(
                                "File order watermarks",
                                TypeInformation.of(Payload.class),
                                new FileOrderWatermarks(config.maxOutOfOrderness()))
                        .uid("file-order")
                        .setParallelism(1);
        return LayerWatchPipeline.build(
                decoders == 1 && !spreadRules ? source : source.rebalance(),
                config,
                JobShape.replay(config)
                        .withScope(scope)
                        .withDecode(
                                new DecodeFunction(
                                        s3,
                                        progress,
                                        DecodeFunction.prefilterOn(),
                                        config.cloudWatchLogs(),
                                        config.maxInflatedBytes()))
                        .withKeying(spreadRules ? Keying.NETWORK : Keying.IN_PLACE, decoders));
    }

    /**
     * Security Hub custom-action events as dead letters, not run (see {@link
     * #CUSTOM_ACTION_NOT_RUN}).
     */
    static DataStream<DeadLetter> customActionsNotRun(LayerWatchPipeline.Outputs out) {
        return out.customActions()
                .map(new CustomActionNotRun())
                .returns(TypeInformation.of(DeadLetter.class))
                .uid("custom-actions-not-run")
                .name("Security Hub custom actions (not run)");
    }

    /** Lines of a file; 0 for none. */
    static long lines(Path file) throws IOException {
        if (file == null || !Files.exists(file)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.count();
        }
    }

    /** Runs the job, telling {@code progress} how far it got while it runs. */
    private static JobExecutionResult execute(
            StreamExecutionEnvironment env,
            ReplayProgress run,
            Consumer<ReplayProgress.Snapshot> progress)
            throws Exception {
        JobClient job = env.executeAsync("layerwatch-replay");
        CompletableFuture<JobExecutionResult> done = job.getJobExecutionResult();
        JobExecutionResult result;
        try {
            while (progress != null && !done.isDone()) {
                progress.accept(run.snapshot());
                try {
                    done.get(PROGRESS_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException stillRunning) {
                    // draw again
                }
            }
            result = done.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        if (progress != null) {
            progress.accept(run.snapshot());
        }
        return result;
    }

    /** Counts findings for the progress display; passes them on unchanged. */
    static final class CountFindings extends RichMapFunction<Finding, Finding> {
        private static final long serialVersionUID = 1L;
        private final String progressId;
        private final SinksConfig sinks;
        private transient ReplayProgress progress;

        CountFindings(String progressId, SinksConfig sinks) {
            this.progressId = progressId;
            this.sinks = sinks;
        }

        @Override
        public void open(OpenContext openContext) {
            progress = ReplayProgress.of(progressId);
        }

        @Override
        public Finding map(Finding f) {
            if (progress != null) {
                progress.finding(f, sinks.findingsMayChange(f.ruleId()));
            }
            return f;
        }
    }

    /** Why a replay dead-letters a Security Hub custom-action event (one line, for the CLI too). */
    public static final String CUSTOM_ACTION_NOT_RUN =
            "Security Hub custom-action event not run: replay runs no"
                    + " responder; give it to `layerwatch remediate plan|apply --findings FILE`";

    /**
     * Custom-action events: a replay backtests rules and acts on nothing, so each is dead-lettered
     * with {@link #CUSTOM_ACTION_NOT_RUN} and counted (deadLettered, customActionsNotRun), never
     * dropped.
     */
    static final class CustomActionNotRun extends RichMapFunction<EcrEvent, DeadLetter> {
        private static final long serialVersionUID = 1L;
        private transient LongCounter deadLettered;
        private transient LongCounter notRun;

        @Override
        public void open(OpenContext openContext) {
            deadLettered = getRuntimeContext().getLongCounter(Counters.DEAD_LETTERED);
            notRun = getRuntimeContext().getLongCounter(Counters.CUSTOM_ACTIONS_NOT_RUN);
        }

        @Override
        public DeadLetter map(EcrEvent e) {
            deadLettered.add(1);
            notRun.add(1);
            return DeadLetter.ofRecord(
                    "custom-action " + e.eventId(), "replay", CUSTOM_ACTION_NOT_RUN, e.rawJson());
        }
    }

    /** The custom-action events a finished replay dead-lettered instead of running them. */
    public static long customActionsNotRun(Result r) {
        return counter(r.job(), Counters.CUSTOM_ACTIONS_NOT_RUN);
    }

    /** The files a replay on a cluster listed. */
    public static long filesListed(Result r) {
        return counter(r.job(), Counters.FILES_LISTED);
    }

    static Summary summarize(JobExecutionResult result, Path findingsFile) throws IOException {
        Map<String, Long> byRule = new LinkedHashMap<>();
        for (String id : RuleCatalog.ids()) {
            byRule.put(id, 0L);
        }
        Map<String, Long> bySeverity = new LinkedHashMap<>();
        for (Severity s : Severity.values()) {
            bySeverity.put(s.name(), 0L);
        }
        // Most severe first, then by first event time and id; only the top ones are kept while
        // reading.
        Comparator<IncidentLine> order =
                Comparator.comparing((IncidentLine i) -> Severity.valueOf(i.severity()))
                        .reversed()
                        .thenComparing(IncidentLine::firstEventTime)
                        .thenComparing(IncidentLine::id);
        TreeSet<IncidentLine> incidents = new TreeSet<>(order);
        try (BufferedReader lines = Files.newBufferedReader(findingsFile, StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode f = Json.tree(line);
                if (f != null) {
                    byRule.merge(f.path("ruleId").asText(), 1L, Long::sum);
                    bySeverity.merge(f.path("severity").asText(), 1L, Long::sum);
                    if (f.path("ruleId").asText().equals(RuleCatalog.ATTACK_SEQUENCE)) {
                        incidents.add(IncidentLine.of(f));
                        if (incidents.size() > MAX_INCIDENTS) {
                            incidents.pollLast();
                        }
                    }
                }
            }
        }
        return new Summary(
                counter(result, Counters.EVENTS_READ),
                counter(result, Counters.EVENTS_MATCHED),
                byRule,
                bySeverity,
                counter(result, Counters.DEAD_LETTERED),
                counter(result, Counters.LATE),
                counter(result, Counters.SCANS_FAILED),
                0,
                counter(result, Counters.CLOUDWATCH_LOGS_REJECTED),
                counter(result, Counters.DUPLICATES_DROPPED),
                List.copyOf(incidents));
    }

    private static long counter(JobExecutionResult result, String name) {
        Object v = result.getAllAccumulatorResults().get(name);
        return v instanceof Number number ? number.longValue() : 0L;
    }
}
