package io.layerwatch.rules;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.LiveRules;
import io.layerwatch.config.RulesUpdate;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.api.common.functions.RuntimeContext;
import java.io.Serializable;
import org.apache.flink.util.Collector;

/**
 * {@code first-seen-puller}: per repository, a principal pulling that was not seen before. Each
 * repository first learns quietly for {@code learningPeriod} (event time, from its first pull);
 * a puller unseen for {@code forgetAfter} counts as new again. Events are processed in event-time
 * order (buffered until the watermark passes them), so any arrival order gives the same findings.
 * Keyed by repository.
 */
public final class FirstSeenPuller extends KeyedBroadcastProcessFunction<String, EcrEvent, RulesUpdate, Finding> {
    private static final long serialVersionUID = 1L;
    public static final String ID = RuleCatalog.FIRST_SEEN_PULLER;

    private final LiveRules live;
    private final Logic logic;

    public FirstSeenPuller(RulesConfig config) {
        this.live = new LiveRules(config);
        this.logic = new Logic(config.rule(ID));
    }

    /** Successful pulls by anyone but AWS services. */
    public static boolean isPull(EcrEvent e) {
        return (e.is("BatchGetImage") || e.is("GetDownloadUrlForLayer")) && !e.failed()
                && !e.principal().isAwsService() && e.repositoryName() != null;
    }

    @Override
    public void open(Configuration parameters) {
        logic.open(getRuntimeContext(), true);
    }

    @Override
    public void processElement(EcrEvent e, ReadOnlyContext ctx, Collector<Finding> out) throws Exception {
        logic.element(e, ctx.timerService(), () -> live.current(ctx.getBroadcastState(LiveRules.STATE)).rule(ID), out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        logic.fire(timestamp, () -> live.current(ctx.getBroadcastState(LiveRules.STATE)).rule(ID), out);
    }

    @Override
    public void processBroadcastElement(RulesUpdate update, Context ctx, Collector<Finding> out) throws Exception {
        LiveRules.update(ctx.getBroadcastState(LiveRules.STATE), update);
    }

    /**
     * The rule under the startup rules, on pulls that arrive in event-time order, each before the
     * watermark that passes it (a replay at parallelism 1 sorts them once for every keyed rule, see
     * LayerWatchPipeline): judged as they come, without buffer or timers, in the decoder's task.
     */
    public static final class Static extends KeyedProcessFunction<String, EcrEvent, Finding> {
        private static final long serialVersionUID = 1L;
        private final RuleSettings settings;
        private final Logic logic;

        public Static(RulesConfig config) {
            this.settings = config.rule(ID);
            this.logic = new Logic(settings);
        }

        @Override
        public void open(Configuration parameters) {
            // Without TTL: it counts processing time, which a replay spends far less of than the retention.
            logic.open(getRuntimeContext(), false);
        }

        @Override
        public void processElement(EcrEvent e, Context ctx, Collector<Finding> out) throws Exception {
            logic.judge(e, settings, out);
        }
    }

    /** The settings in force when an event is judged. */
    @FunctionalInterface
    private interface Settings {
        RuleSettings get() throws Exception;
    }

    /** The rule's keyed state and judgement, whichever function holds it. */
    private static final class Logic implements Serializable {
        private static final long serialVersionUID = 1L;
        private final RuleSettings startup;
        private transient ValueState<Long> learningStart;
        private transient MapState<String, Long> lastSeen;
        private transient MapState<Long, List<EcrEvent>> buffer;

        Logic(RuleSettings startup) {
            this.startup = startup;
        }

        /** @param expire give the learned state its time to live (counted in processing time) */
        void open(RuntimeContext ctx, boolean expire) {
            Duration retention = startup.duration("forgetAfter").plus(startup.duration("learningPeriod"));
            StateTtlConfig ttl = StateTtlConfig.newBuilder(retention).cleanupFullSnapshot().build();
            ValueStateDescriptor<Long> start = new ValueStateDescriptor<>("learning-start", Types.LONG);
            MapStateDescriptor<String, Long> seen = new MapStateDescriptor<>("last-seen", Types.STRING, Types.LONG);
            if (expire) {
                start.enableTimeToLive(ttl);
                seen.enableTimeToLive(ttl);
            }
            learningStart = ctx.getState(start);
            lastSeen = ctx.getMapState(seen);
            MapStateDescriptor<Long, List<EcrEvent>> pending = new MapStateDescriptor<>("pending", Types.LONG,
                    Types.LIST(TypeInformation.of(EcrEvent.class)));
            // Drained by event-time timers; the TTL only bounds a stalled clock. No background cleanup: on the
            // heap backend it deep-copies a repository's whole buffer on every access (quadratic for busy ones).
            pending.enableTimeToLive(StateTtlConfig.newBuilder(retention).cleanupFullSnapshot()
                    .disableCleanupInBackground().build());
            buffer = ctx.getMapState(pending);
        }

        /** Buffers the pull until the watermark passes it; a late one is judged at once. */
        void element(EcrEvent e, TimerService timers, Settings settings, Collector<Finding> out) throws Exception {
            if (e.eventTime() <= timers.currentWatermark()) {
                judge(e, settings.get(), out);
                return;
            }
            List<EcrEvent> pending = buffer.get(e.eventTime());
            if (pending == null) {
                pending = new ArrayList<>();
                timers.registerEventTimeTimer(e.eventTime());
            }
            pending.add(e);
            buffer.put(e.eventTime(), pending);
        }

        void fire(long timestamp, Settings settings, Collector<Finding> out) throws Exception {
            List<EcrEvent> pending = buffer.get(timestamp);
            if (pending == null) {
                return;
            }
            pending.sort(FindingBuilder.EVENT_ORDER);
            RuleSettings current = settings.get();
            for (EcrEvent e : pending) {
                judge(e, current, out);
            }
            buffer.remove(timestamp);
        }

        private void judge(EcrEvent e, RuleSettings settings, Collector<Finding> out) throws Exception {
            Long start = learningStart.value();
            if (start == null) {
                start = e.eventTime();
                learningStart.update(start);
            }
            String who = e.principal().arn();
            Long previous = lastSeen.get(who);
            lastSeen.put(who, previous == null ? e.eventTime() : Math.max(previous, e.eventTime()));
            boolean learning = e.eventTime() < start + settings.duration("learningPeriod").toMillis();
            boolean known = previous != null && e.eventTime() - previous <= settings.duration("forgetAfter").toMillis();
            if (learning || known || !settings.enabled() || settings.allowlisted(e)) {
                return;
            }
            out.collect(FindingBuilder.of(settings)
                    .event(e)
                    .key(e.repositoryKey() + "|" + who)
                    .title("New puller of " + e.repositoryName() + ": " + e.principal().name())
                    .description(e.principal().arn() + " pulled from repository " + e.repositoryName() + " (" + e.eventName()
                            + ") from " + e.sourceIp() + (previous == null ? ", for the first time since LayerWatch "
                            + "started learning this repository." : ", after not pulling for longer than "
                            + io.layerwatch.config.ParamType.format(settings.duration("forgetAfter")) + "."))
                    .detail("firstSeen", previous == null)
                    .detail("learningStartedAt", java.time.Instant.ofEpochMilli(start).toString())
                    .build());
        }
    }
}
