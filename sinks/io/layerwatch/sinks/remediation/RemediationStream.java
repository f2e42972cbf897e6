package io.layerwatch.sinks.remediation;

import io.layerwatch.config.RemediationConfig;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.EventKind;
import io.layerwatch.finding.Finding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The responder in the streaming job:
 *
 * <pre>
 * findings ------------> plan (rule mappings) --------\
 * custom-action events -> plan (customActions map) ----+-> guard (keyed state: idempotency by finding id
 *                                                            + action with TTL, rate limits, protection,
 *                                                            dry run) --dry run / refused--> audit records
 *                                                      \--execute--> execute (async, one at a time,
 *                                                            retries, dead letters) --> audit records
 *                                                                                    \-failed-> remediation-failed findings
 * </pre>
 *
 * The guard runs on one key, so the global rate limit is exact; actions run one at a time, so two
 * actions never race on one repository policy. State survives restarts (checkpoints, savepoints): a
 * replayed or re-delivered finding is never acted on twice. An action in flight at a failure is run
 * again after the restore; actions are idempotent, so the repeat records "no-change".
 */
public final class RemediationStream {

    public static final OutputTag<AuditRecord> DECISIONS =
            new OutputTag<>("remediation-decisions", TypeInformation.of(AuditRecord.class));

    /**
     * What the responder emits.
     *
     * @param audit every decision and execution (dry runs, refusals, executions, failures): for the
     *     SIEM sink and the audit log
     * @param failures a remediation-failed finding per failed action, for the finding sinks
     */
    public record Outputs(DataStream<AuditRecord> audit, DataStream<Finding> failures) {}

    private RemediationStream() {}

    /**
     * Attaches the responder.
     *
     * @param findings the findings stream (remediation-failed findings in it are ignored)
     * @param events decoded events, or null; only {@link EventKind#CUSTOM_ACTION} ones are used
     */
    public static Outputs attach(
            DataStream<Finding> findings,
            DataStream<EcrEvent> events,
            RemediationSettings settings) {
        RemediationConfig config = settings.config();
        DataStream<ActionRequest> requests =
                findings.flatMap(new PlanFindings(config))
                        .uid("remediation-plan")
                        .name("Remediation: plan (rule mappings)");
        if (events != null) {
            requests =
                    requests.union(
                            events.flatMap(new PlanCustomActions(config, settings.hubAccountId()))
                                    .uid("remediation-plan-custom-actions")
                                    .name("Remediation: plan (Security Hub custom actions)"));
        }
        SingleOutputStreamOperator<ActionRequest> approved =
                requests.keyBy(new ResponderKey(), Types.STRING)
                        .process(new GuardFunction(settings))
                        .uid("remediation-guard")
                        .name("Remediation: guardrails")
                        .setParallelism(1);
        DataStream<AuditRecord> executed =
                AsyncDataStream.unorderedWait(
                                approved,
                                new ExecuteFunction(settings),
                                timeout(settings).toMillis(),
                                TimeUnit.MILLISECONDS,
                                1)
                        .uid("remediation-execute")
                        .name("Remediation: execute")
                        .setParallelism(1);
        DataStream<AuditRecord> audit = approved.getSideOutput(DECISIONS).union(executed);
        DataStream<Finding> failures =
                executed.filter(new Failed())
                        .uid("remediation-failed-filter")
                        .name("Remediation: failed")
                        .map(new FailureFinding(config))
                        .uid("remediation-failed-findings")
                        .name("Remediation: remediation-failed findings");
        return new Outputs(audit, failures);
    }

    /** Long enough for every attempt and backoff of one action. */
    static Duration timeout(RemediationSettings s) {
        Duration perAttempt = s.aws().callTimeout().plus(s.retry().maxDelay());
        return perAttempt.multipliedBy(s.retry().maxAttempts()).plusSeconds(60);
    }

    public static final class ResponderKey implements KeySelector<ActionRequest, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(ActionRequest r) {
            return "responder";
        }
    }

    static final class PlanFindings implements FlatMapFunction<Finding, ActionRequest> {
        private static final long serialVersionUID = 1L;
        private final RemediationConfig config;

        PlanFindings(RemediationConfig config) {
            this.config = config;
        }

        @Override
        public void flatMap(Finding f, Collector<ActionRequest> out) {
            if (!RemediationConfig.FAILED_RULE_ID.equals(f.ruleId())) {
                Planner.forRule(f, config, Planner.ACTOR_JOB).forEach(out::collect);
            }
        }
    }

    static final class PlanCustomActions implements FlatMapFunction<EcrEvent, ActionRequest> {
        private static final long serialVersionUID = 1L;
        private final RemediationConfig config;
        private final String hubAccountId;

        PlanCustomActions(RemediationConfig config, String hubAccountId) {
            this.config = config;
            this.hubAccountId = hubAccountId;
        }

        @Override
        public void flatMap(EcrEvent e, Collector<ActionRequest> out) {
            ActionRequest r = CustomActions.request(e, config, hubAccountId);
            if (r != null) {
                out.collect(r);
            }
        }
    }

    /**
     * Idempotency (finding id + action, remembered for idempotencyTtl), then {@link Guard}:
     * requests to execute go on, every other decision becomes an audit record on {@link
     * #DECISIONS}.
     */
    public static final class GuardFunction
            extends KeyedProcessFunction<String, ActionRequest, ActionRequest> {
        private static final long serialVersionUID = 1L;
        private final RemediationSettings settings;
        private transient MapState<String, String> done;
        private transient ListState<String> recent;

        public GuardFunction(RemediationSettings settings) {
            this.settings = settings;
        }

        @Override
        public void open(OpenContext openContext) {
            MapStateDescriptor<String, String> d =
                    new MapStateDescriptor<>("remediation-done", Types.STRING, Types.STRING);
            d.enableTimeToLive(
                    StateTtlConfig.newBuilder(settings.config().idempotencyTtl())
                            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                            .build());
            done = getRuntimeContext().getMapState(d);
            // The actions of the last hour (rate limits); rewritten on every decision, so a TTL of
            // two hours only drops what no longer counts.
            ListStateDescriptor<String> r =
                    new ListStateDescriptor<>("remediation-rate", Types.STRING);
            r.enableTimeToLive(
                    StateTtlConfig.newBuilder(Duration.ofHours(2))
                            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                            .build());
            recent = getRuntimeContext().getListState(r);
        }

        @Override
        public void processElement(ActionRequest r, Context ctx, Collector<ActionRequest> out)
                throws Exception {
            if (done.contains(r.idempotencyKey())) {
                return;
            }
            RemediationConfig config = settings.config();
            long now = settings.clock().millis();
            List<String> dry = new ArrayList<>();
            List<String> exec = new ArrayList<>();
            for (String s : recent.get()) {
                (s.startsWith(AuditRecord.DRY_RUN + " ") ? dry : exec)
                        .add(s.substring(s.indexOf(' ') + 1));
            }
            RateLimiter dryLimiter = RateLimiter.restore(config.rateLimit(), dry);
            RateLimiter execLimiter = RateLimiter.restore(config.rateLimit(), exec);
            Guard.Decision d =
                    Guard.decide(
                            r,
                            config,
                            true,
                            mode -> AuditRecord.EXECUTE.equals(mode) ? execLimiter : dryLimiter,
                            now);
            done.put(r.idempotencyKey(), d.mode());
            List<String> keep = new ArrayList<>();
            dryLimiter.export(now).forEach(s -> keep.add(AuditRecord.DRY_RUN + " " + s));
            execLimiter.export(now).forEach(s -> keep.add(AuditRecord.EXECUTE + " " + s));
            recent.update(keep);
            if (d.verdict() == Guard.Verdict.EXECUTE) {
                out.collect(r);
            } else {
                ctx.output(
                        DECISIONS,
                        Responder.decisionRecord(
                                r,
                                d,
                                config,
                                settings.clock().instant(),
                                Responder.resultOf(d.verdict())));
            }
        }
    }

    /**
     * Runs approved actions one at a time off the task thread (retries and dead letters in {@link
     * Responder}).
     */
    static final class ExecuteFunction extends RichAsyncFunction<ActionRequest, AuditRecord> {
        private static final long serialVersionUID = 1L;
        private final RemediationSettings settings;
        private transient Responder responder;
        private transient ExecutorService pool;

        ExecuteFunction(RemediationSettings settings) {
            this.settings = settings;
        }

        @Override
        public void open(OpenContext openContext) throws Exception {
            RemediationConfig config = settings.config();
            responder =
                    new Responder(
                            config,
                            new ActionExecutor(config, settings.aws(), settings.clock()),
                            settings.retry(),
                            settings.deadLetters().open(),
                            settings.clock(),
                            Thread::sleep);
            pool =
                    Executors.newSingleThreadExecutor(
                            r -> {
                                Thread t = new Thread(r, "layerwatch-remediation");
                                t.setDaemon(true);
                                return t;
                            });
        }

        @Override
        public void asyncInvoke(ActionRequest r, ResultFuture<AuditRecord> result) {
            pool.execute(
                    () -> {
                        try {
                            result.complete(List.of(responder.execute(r)));
                        } catch (Throwable t) {
                            result.completeExceptionally(t);
                        }
                    });
        }

        @Override
        public void timeout(ActionRequest r, ResultFuture<AuditRecord> result) {
            AuditRecord rec =
                    Responder.decisionRecord(
                            r,
                            new Guard.Decision(
                                    Guard.Verdict.EXECUTE,
                                    AuditRecord.EXECUTE,
                                    "timed out after "
                                            + RemediationStream.timeout(settings)
                                            + "; the action may still complete"),
                            settings.config(),
                            settings.clock().instant(),
                            AuditRecord.RESULT_FAILED);
            result.complete(List.of(rec));
        }

        @Override
        public void close() throws Exception {
            if (pool != null) {
                pool.shutdownNow();
            }
            if (responder != null) {
                responder.close();
            }
        }
    }

    static final class Failed implements FilterFunction<AuditRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(AuditRecord r) {
            return r.failed();
        }
    }

    static final class FailureFinding implements MapFunction<AuditRecord, Finding> {
        private static final long serialVersionUID = 1L;
        private final RemediationConfig config;

        FailureFinding(RemediationConfig config) {
            this.config = config;
        }

        @Override
        public Finding map(AuditRecord r) {
            return Responder.failureFinding(r, config.failureSeverity());
        }
    }
}
