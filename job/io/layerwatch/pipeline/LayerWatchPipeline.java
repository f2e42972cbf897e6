package io.layerwatch.pipeline;

import io.layerwatch.config.LiveRules;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.Severity;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.EventKind;
import io.layerwatch.finding.Finding;
import io.layerwatch.patterns.AttackSequence;
import io.layerwatch.patterns.CepRule;
import io.layerwatch.patterns.FindingFolder;
import io.layerwatch.patterns.MatchLogic;
import io.layerwatch.patterns.PatternMatcher;
import io.layerwatch.rules.FirstSeenPuller;
import io.layerwatch.rules.ImageTagOverwrite;
import io.layerwatch.rules.OrderedRule;
import io.layerwatch.rules.UnexpectedImagePush;
import io.layerwatch.rules.SingleEventRule;
import io.layerwatch.rules.WorkloadCredentialsOutside;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.EventComparator;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The one place that wires the job: payloads -> decode -> ECR filter -> event time -> single-event
 * rules, CEP patterns keyed by principal / registry, first-seen keyed by repository, workload credentials
 * keyed by session key (with the session origins the decoder finds in every record) -> findings.
 * Source and sinks are the caller's, so replay, tests and the streaming mode share it.
 */
public final class LayerWatchPipeline {

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));
    private static final TypeInformation<Finding> FINDING = TypeInformation.of(Finding.class);
    public static final OutputTag<EcrEvent> LATE_EVENTS =
            new OutputTag<>("late-events", TypeInformation.of(EcrEvent.class));

    /**
     * System property: {@code -Dlayerwatch.prefilter=false} turns off the decoder's byte-level prefilter
     * (read when the job is built); the results are the same, only slower.
     */
    public static final String PREFILTER_PROPERTY = "layerwatch.prefilter";

    /**
     * What the pipeline produces; the caller attaches sinks.
     *
     * @param customActions Security Hub custom-action requests (for the remediation responder)
     */
    public record Outputs(DataStream<Finding> findings, DataStream<DeadLetter> deadLetters,
            DataStream<EcrEvent> lateEvents, DataStream<EcrEvent> customActions) {}

    private LayerWatchPipeline() {}

    /** Where the event-time clock comes from. */
    public enum Watermarks {
        /**
         * Generated from the decoded events (bounded lateness), never behind the watermarks already in the
         * payload stream (a replay's file order): replay, tests. See {@link BoundedLatenessWatermarks}.
         */
        FROM_EVENTS,
        /** Already in the payload stream (the Kinesis consumer's per-shard watermarks): events only get their timestamps. */
        FROM_SOURCE
    }

    /**
     * @param from keep events at or after this time (null: no bound)
     * @param to keep events before this time (null: no bound)
     */
    public static Outputs build(DataStream<Payload> payloads, RulesConfig config, Instant from, Instant to) {
        return build(payloads, config, null, from, to, Watermarks.FROM_EVENTS);
    }

    /**
     * @param updates new versions of the rules while the job runs (null: the startup rules stay);
     *     allowlists, thresholds, severities and enabled flags apply live, CEP pattern shapes at restart
     */
    public static Outputs build(DataStream<Payload> payloads, RulesConfig config, DataStream<RulesUpdate> updates,
            Instant from, Instant to, Watermarks watermarks) {
        return build(payloads, config, updates, InputScope.between(from, to), watermarks,
                new DecodeFunction(config.cloudWatchLogs(), config.maxInflatedBytes()),
                Keying.NETWORK);
    }

    /** How the keyed operators get their events. */
    enum Keying {
        /** keyBy: each event crosses the network to the subtask that owns its key (any parallelism, rescalable). */
        NETWORK,
        /**
         * Parallelism 1 under the startup rules (a local replay): the one subtask owns every key, so the keyed
         * operators run in the decoder's task, their input reinterpreted as keyed, and no event is serialized
         * on its way to them. {@link EventTimeOrder} sorts the events once for all of them, so they judge each
         * event as it comes instead of buffering it per key under a timer. Not for jobs that may be restored
         * at another parallelism.
         */
        IN_PLACE
    }

    /**
     * @param decode how file payloads are read and whom the decoder tells about its progress (replay)
     * @param keying {@link Keying#IN_PLACE} only at parallelism 1 without updates
     */
    static Outputs build(DataStream<Payload> payloads, RulesConfig config, DataStream<RulesUpdate> updates,
            InputScope scope, Watermarks watermarks, DecodeFunction decode, Keying keying) {
        return build(payloads, config, updates, scope, watermarks, decode, keying, keying == Keying.IN_PLACE ? 1 : 0);
    }

    /**
     * @param decoders 0: the decoder runs in its task's thread at the job's parallelism; N: on a thread of its
     *     own ({@link DecodeAhead}) in each of N subtasks, with what is chained to it up to the late tagger (in
     *     place, N decoders feed the one task that runs every rule)
     */
    static Outputs build(DataStream<Payload> payloads, RulesConfig config, DataStream<RulesUpdate> updates,
            InputScope scope, Watermarks watermarks, DecodeFunction decode, Keying keying, int decoders) {
        boolean inPlace = keying == Keying.IN_PLACE;
        if (inPlace && (updates != null || payloads.getExecutionEnvironment().getParallelism() != 1)) {
            throw new IllegalArgumentException("keys in place need parallelism 1 and the startup rules");
        }
        // The updates must not hold back event time: a reloading source stays idle between updates;
        // without one, the empty stream derived from the payloads carries their watermarks. In place,
        // every rule runs under the startup rules and there is no rules stream.
        BroadcastStream<RulesUpdate> rules = inPlace ? null
                : (updates != null ? updates : noUpdates(payloads)).broadcast(LiveRules.STATE);
        SingleOutputStreamOperator<EcrEvent> decoded = (decoders > 0
                ? payloads.transform("Decode payloads", TypeInformation.of(EcrEvent.class), new DecodeAhead(decode))
                : payloads.process(decode).name("Decode payloads"))
                .uid("decode");

        SingleOutputStreamOperator<EcrEvent> relevant = decoded
                .filter(new RelevanceFilter(scope))
                .uid("filter-ecr").name("Keep ECR events in range");
        SingleOutputStreamOperator<EcrEvent> timed = watermarks == Watermarks.FROM_SOURCE
                ? relevant.transform("Event timestamps", TypeInformation.of(EcrEvent.class),
                                new EventTimestamps(config.maxOutOfOrderness(), config.idleness()))
                        .uid("event-timestamps")
                : relevant.transform("Event time and watermarks", TypeInformation.of(EcrEvent.class),
                                new BoundedLatenessWatermarks(config.maxOutOfOrderness()))
                        .uid("event-time");
        SingleOutputStreamOperator<EcrEvent> tagged = timed
                .process(new LateTagger())
                .uid("late-events").name("Tag late events");
        if (decoders > 0) {
            for (SingleOutputStreamOperator<EcrEvent> op : List.of(decoded, relevant, timed, tagged)) {
                op.setParallelism(decoders);
            }
        }
        // At-least-once input: copies of an event (same account and event id) go no further.
        DataStream<EcrEvent> events = !inPlace
                ? tagged.keyBy(DropDuplicates::key, Types.STRING)
                        .process(new DropDuplicates(config.maxOutOfOrderness()))
                        .uid("dedupe-events").name("Drop duplicate events")
                : tagged.transform("Event-time order, drop duplicates", TypeInformation.of(EcrEvent.class),
                                new EventTimeOrder(config.maxOutOfOrderness()))
                        .uid("event-time-order");

        List<CepRule> cepRules = RuleSet.cepRules().stream().filter(r -> r.active(config)).toList();
        // Without live updates the rules run chained to the decoder: no network hop for every event.
        SingleEventEvaluation evaluation = new SingleEventEvaluation(cepRules);
        SingleOutputStreamOperator<Finding> singles = (updates == null
                ? events.process(new UnderStartupRules<>(config, evaluation), FINDING)
                : events.connect(rules).process(new UnderLiveRules<>(config, evaluation), FINDING))
                .uid("rules-single-event").name("Single-event rules, pattern inputs");
        // Rules with one finding per event, their repeats folded (foldWindow) below.
        DataStream<Finding> findings = singles;

        KeyedStream<EcrEvent, String> pulls = keyed(events
                .filter(FirstSeenPuller::isPull)
                .uid("first-seen-puller-filter").name("Pulls"), EcrEvent::repositoryKey, keying);
        findings = findings.union((inPlace ? pulls.process(new FirstSeenPuller.Static(config))
                : pulls.connect(rules).process(new FirstSeenPuller(config)))
                .uid("rule-" + FirstSeenPuller.ID).name(FirstSeenPuller.ID + " (by repository)"));

        KeyedStream<EcrEvent, String> pushes = keyed(events
                .filter(UnexpectedImagePush::relevant)
                .uid("unexpected-image-push-filter").name("Pushes, long-term key logins"), UnexpectedImagePush::tokenKey,
                keying);
        DataStream<Tuple2<EcrEvent, Boolean>> marked = ordered(pushes, new UnexpectedImagePush.Tokens(),
                UnexpectedImagePush.PUSH, config, rules)
                .uid("unexpected-image-push-tokens").name(UnexpectedImagePush.ID + " (tokens by access key)");
        findings = findings.union(ordered(keyed(marked, UnexpectedImagePush::repositoryKey, keying),
                new UnexpectedImagePush.Pushers(), FINDING, config, rules)
                .uid("rule-" + UnexpectedImagePush.ID).name(UnexpectedImagePush.ID + " (by repository)"));
        findings = findings.union(ordered(keyed(events
                .filter(ImageTagOverwrite::relevant)
                .uid("image-tag-overwrite-filter").name("Tagged pushes"), EcrEvent::repositoryKey, keying),
                new ImageTagOverwrite(), FINDING, config, rules)
                .uid("rule-" + ImageTagOverwrite.ID).name(ImageTagOverwrite.ID + " (by repository)"));
        // Session origins from every record (not only ECR's) beside the ECR calls made with session keys.
        KeyedStream<EcrEvent, String> sessions = keyed(events
                .filter(WorkloadCredentialsOutside::relevant)
                .uid("workload-credentials-outside-filter").name("Session origins, ECR calls with session keys"),
                WorkloadCredentialsOutside::sessionKey, keying);
        findings = findings.union((inPlace ? sessions.process(new WorkloadCredentialsOutside.Static(config))
                : sessions.connect(rules).process(new WorkloadCredentialsOutside(config)))
                .uid("rule-" + WorkloadCredentialsOutside.ID)
                .name(WorkloadCredentialsOutside.ID + " (by session key)"));

        findings = foldRepeats(findings, config, keying, watermarks);
        DataStream<Finding> patterns = patternFindings(singles, cepRules, config, keying, watermarks);
        if (patterns != null) {
            findings = findings.union(patterns);
        }

        SingleOutputStreamOperator<Finding> live = (inPlace
                ? findings.process(new UnderStartupRules<>(config, new SettingsCheck()), FINDING)
                : findings.connect(rules).process(new UnderLiveRules<>(config, new SettingsCheck()), FINDING))
                .uid("live-settings").name("Live rule settings");
        DataStream<Finding> outgoing = !config.enabled(AttackSequence.ID) ? live
                : keyed(live, AttackSequence::actor, keying)
                        .process(new AttackSequence(config, watermarks == Watermarks.FROM_EVENTS))
                        .uid("rule-" + AttackSequence.ID).name(AttackSequence.ID + " (by actor)");
        DataStream<DeadLetter> deadLetters = decoded.getSideOutput(DEAD_LETTERS).union(singles.getSideOutput(DEAD_LETTERS));
        DataStream<EcrEvent> customActions = decoded
                .filter(e -> e.kind() == EventKind.CUSTOM_ACTION)
                .uid("custom-actions").name("Security Hub custom actions");
        return new Outputs(outgoing, deadLetters, tagged.getSideOutput(LATE_EVENTS), customActions);
    }

    /**
     * An empty update stream for runs without live reloading (the broadcast side then stays empty). It says
     * it is idle from the start, so it is left out of the rule operators' event time: the events carry their
     * own clock (the replay's from the events, the stream's from arrival and, when quiet, the wall clock),
     * and the payloads' watermarks here would hold every keyed rule and its buffered events back (a replay's
     * until the end of the input, a stream's while its shards are quiet).
     */
    private static DataStream<RulesUpdate> noUpdates(DataStream<Payload> payloads) {
        return payloads.flatMap((Payload p, Collector<RulesUpdate> out) -> { })
                .returns(RulesUpdate.class).uid("rules-static").name("Rules (static)")
                .transform("Rules (static): no event time", TypeInformation.of(RulesUpdate.class), new IdleRules())
                .uid("rules-static-idle");
    }

    /** Passes updates on; idle from its start on, whatever watermarks come in. */
    static final class IdleRules extends AbstractStreamOperator<RulesUpdate>
            implements OneInputStreamOperator<RulesUpdate, RulesUpdate> {
        private static final long serialVersionUID = 1L;

        @Override
        public void open() throws Exception {
            super.open();
            output.emitWatermarkStatus(WatermarkStatus.IDLE);
        }

        @Override
        public void processElement(StreamRecord<RulesUpdate> update) {
            output.collect(update);
        }

        @Override
        public void processWatermark(Watermark mark) {
            // not event-time data
        }

        @Override
        public void processWatermarkStatus(WatermarkStatus status) {
            // stays idle
        }
    }

    /** Where {@link SingleEventEvaluation} sends the events a pattern rule may match. */
    static OutputTag<EcrEvent> patternInput(CepRule rule) {
        return new OutputTag<>("pattern-input-" + rule.id(), TypeInformation.of(EcrEvent.class));
    }

    /**
     * An {@link OrderedRule} on a keyed stream: under the live rules, or in place under the startup rules
     * ({@code rules} null) on input sorted by event time.
     */
    private static <I, O> SingleOutputStreamOperator<O> ordered(KeyedStream<I, String> in, OrderedRule.Logic<I, O> logic,
            TypeInformation<O> out, RulesConfig config, BroadcastStream<RulesUpdate> rules) {
        return rules == null ? in.process(new OrderedRule.InPlace<>(config, logic), out)
                : in.connect(rules).process(new OrderedRule<>(config, logic), out);
    }

    /** The stream keyed by {@code key}: by a keyBy, or in place (see {@link Keying#IN_PLACE}). */
    private static <T> KeyedStream<T, String> keyed(DataStream<T> in, KeySelector<T, String> key, Keying keying) {
        return keying == Keying.IN_PLACE ? DataStreamUtils.reinterpretAsKeyedStream(in, key, Types.STRING)
                : in.keyBy(key, Types.STRING);
    }

    /**
     * Pattern rules: in place on sorted input each event is judged as it comes; with watermarks from the
     * source (streaming) a match is reported on the arrival of the event that completes it; otherwise (a
     * replay above parallelism 1) once the watermark passes it, so that the output does not depend on how
     * the parallel readers interleave.
     */
    private static DataStream<Finding> patternFindings(SingleOutputStreamOperator<Finding> singles,
            List<CepRule> cepRules, RulesConfig config, Keying keying, Watermarks watermarks) {
        PatternMatcher.Mode mode = keying == Keying.IN_PLACE ? PatternMatcher.Mode.SORTED
                : watermarks == Watermarks.FROM_SOURCE ? PatternMatcher.Mode.ARRIVAL : PatternMatcher.Mode.WATERMARK;
        DataStream<Finding> matches = null;
        Map<String, CepRule> active = new LinkedHashMap<>();
        Map<String, Long> gaps = new LinkedHashMap<>();
        for (CepRule rule : cepRules) {
            RuleSettings settings = config.rule(rule.id());
            active.put(rule.id(), rule);
            gaps.put(rule.id(), rule.foldGap(settings).toMillis());
            KeyedStream<EcrEvent, String> input = keyed(singles.getSideOutput(patternInput(rule)), rule::key, keying);
            MatchLogic logic = rule.matchLogic(config);
            DataStream<Finding> ruleMatches = logic != null
                    ? input.process(new PatternMatcher(rule, settings, logic, new ByEventId(), mode))
                            .uid("match-" + rule.id()).name(rule.id() + " (matcher)")
                    : CEP.pattern(input, rule.pattern(config), new ByEventId())
                            .process(new MatchToFinding(rule, settings))
                            .uid("cep-" + rule.id()).name(rule.id() + " (CEP)");
            matches = matches == null ? ruleMatches : matches.union(ruleMatches);
        }
        if (matches == null) {
            return null;
        }
        Map<String, FindingFolder.Merge> merges = new LinkedHashMap<>();
        active.forEach((id, rule) -> merges.put(id, rule::merge));
        return matches
                .keyBy(f -> active.get(f.ruleId()).foldKey(f), Types.STRING)
                .process(new FindingFolder(gaps, merges, false))
                .uid("fold-episodes").name("Fold episodes");
    }

    /**
     * Repeats of the one-per-event rules (same rule, principal, repository, source address within the rule's
     * foldWindow) are one finding; in a replay folded in event-time order, so at any parallelism the same.
     */
    private static DataStream<Finding> foldRepeats(DataStream<Finding> findings, RulesConfig config, Keying keying,
            Watermarks watermarks) {
        Map<String, Long> gaps = new LinkedHashMap<>();
        for (RuleCatalog.Rule rule : RuleCatalog.rules()) {
            long gap = config.rule(rule.id()).foldWindow().toMillis();
            if (gap > 0 && config.enabled(rule.id())) {
                gaps.put(rule.id(), gap);
            }
        }
        if (gaps.isEmpty()) {
            return findings;
        }
        return keyed(findings, FindingFolder::repeatKey, keying)
                .process(new FindingFolder(gaps, Map.of(), watermarks == Watermarks.FROM_EVENTS))
                .uid("fold-repeats").name("Fold repeats");
    }

    /**
     * Only ECR calls, scans and image actions in the requested time range, accounts and regions go on, and
     * the session origins there (for workload-credentials-outside; not counted as matched).
     */
    static final class RelevanceFilter extends RichFilterFunction<EcrEvent> {
        private static final long serialVersionUID = 1L;
        private final InputScope scope;
        private transient LongCounter matched;
        private transient LongCounter scansFailed;
        private transient Counter matchedMetric;

        RelevanceFilter(InputScope scope) {
            this.scope = scope;
        }

        @Override
        public void open(Configuration parameters) {
            matched = getRuntimeContext().getLongCounter(Counters.EVENTS_MATCHED);
            scansFailed = getRuntimeContext().getLongCounter(Counters.SCANS_FAILED);
            matchedMetric = Counters.metrics(getRuntimeContext()).counter(Counters.EVENTS_MATCHED);
        }

        @Override
        public boolean filter(EcrEvent e) {
            if (e.kind() == EventKind.SESSION_ORIGIN) {
                return scope.keeps(e);
            }
            if (!e.analysed() || !scope.keeps(e)) {
                return false;
            }
            if (e.kind() == EventKind.IMAGE_SCAN && "FAILED".equals(e.scanStatus())) {
                scansFailed.add(1);
            }
            matched.add(1);
            matchedMetric.inc();
            return true;
        }
    }

    /** Passes every event on; copies those behind the watermark to the late side output and counts them. */
    static final class LateTagger extends ProcessFunction<EcrEvent, EcrEvent> {
        private static final long serialVersionUID = 1L;
        private transient LongCounter late;
        private transient Counter lateMetric;

        @Override
        public void open(Configuration parameters) {
            late = getRuntimeContext().getLongCounter(Counters.LATE);
            lateMetric = Counters.metrics(getRuntimeContext()).counter(Counters.LATE);
        }

        @Override
        public void processElement(EcrEvent e, Context ctx, Collector<EcrEvent> out) {
            if (e.analysed() && e.eventTime() <= ctx.timerService().currentWatermark()) {
                late.add(1);
                lateMetric.inc();
                ctx.output(LATE_EVENTS, e);
            }
            out.collect(e);
        }
    }

    /**
     * Runs every enabled single-event rule whose allowlist does not cover the event. A rule that
     * fails on an event dead-letters that event (stage "rule:ID") instead of stopping the job.
     * Also sends each pattern rule, to its side output ({@link #patternInput}), the events it may match:
     * relevant and not allowlisted. (One operator, so each event crosses one network edge to the
     * pattern rules instead of one per rule.)
     */
    static final class SingleEventEvaluation implements RulesStep<EcrEvent, Finding> {
        private static final long serialVersionUID = 1L;
        private final List<SingleEventRule> rules = RuleSet.singleEventRules();
        private final List<CepRule> patterns;
        private transient List<OutputTag<EcrEvent>> patternInputs;
        private transient LongCounter deadLettered;

        SingleEventEvaluation(List<CepRule> patterns) {
            this.patterns = List.copyOf(patterns);
        }

        @Override
        public void open(org.apache.flink.api.common.functions.RuntimeContext ctx) {
            deadLettered = ctx.getLongCounter(Counters.DEAD_LETTERED);
            patternInputs = patterns.stream().map(LayerWatchPipeline::patternInput).toList();
        }

        /** The settings of {@link #rules}, then of {@link #patterns}, under {@link #settingsOf}. */
        private transient RuleSettings[] settings;
        private transient RulesConfig settingsOf;

        @Override
        public void apply(EcrEvent e, RulesConfig config, Collector<Finding> out, SideOutput side) {
            if (!e.analysed()) {
                return; // a session origin: for workload-credentials-outside only
            }
            if (config != settingsOf) { // looked up once per version of the rules, not per event
                settings = new RuleSettings[rules.size() + patterns.size()];
                for (int i = 0; i < settings.length; i++) {
                    settings[i] = config.rule(i < rules.size() ? rules.get(i).id() : patterns.get(i - rules.size()).id());
                }
                settingsOf = config;
            }
            for (int r = 0; r < rules.size(); r++) {
                SingleEventRule rule = rules.get(r);
                RuleSettings settings = this.settings[r];
                try {
                    if (settings.enabled() && rule.applies(e, settings) && !settings.allowlisted(e)) {
                        rule.evaluate(e, settings).ifPresent(out::collect);
                    }
                } catch (RuntimeException failure) {
                    deadLettered.add(1);
                    side.output(DEAD_LETTERS, DeadLetter.of(e.eventId(), "rule:" + rule.id(),
                            "rule failed: " + failure, e.raw()));
                }
            }
            for (int i = 0; i < patterns.size(); i++) {
                CepRule pattern = patterns.get(i);
                if (pattern.relevant(e, config) && !settings[rules.size() + i].allowlisted(e)) {
                    side.output(patternInputs.get(i), e);
                }
            }
        }
    }

    /** A function context's side output. */
    interface SideOutput {
        <X> void output(OutputTag<X> tag, X value);
    }

    /** What a rules operator does with each element under the rules in force. */
    interface RulesStep<I, O> extends java.io.Serializable {
        void open(org.apache.flink.api.common.functions.RuntimeContext ctx);

        /** @param side where side outputs go (the function's context) */
        void apply(I in, RulesConfig config, Collector<O> out, SideOutput side);
    }

    /** A {@link RulesStep} under the live rules (streaming with a rules URI, and every run not in place). */
    static final class UnderLiveRules<I, O> extends BroadcastProcessFunction<I, RulesUpdate, O> {
        private static final long serialVersionUID = 1L;
        private final LiveRules live;
        private final RulesStep<I, O> step;

        UnderLiveRules(RulesConfig config, RulesStep<I, O> step) {
            this.live = new LiveRules(config);
            this.step = step;
        }

        @Override
        public void open(Configuration parameters) {
            step.open(getRuntimeContext());
        }

        @Override
        public void processElement(I in, ReadOnlyContext ctx, Collector<O> out) throws Exception {
            step.apply(in, live.current(ctx.getBroadcastState(LiveRules.STATE)), out, ctx::output);
        }

        @Override
        public void processBroadcastElement(RulesUpdate update, Context ctx, Collector<O> out) throws Exception {
            LiveRules.update(ctx.getBroadcastState(LiveRules.STATE), update);
        }
    }

    /** A {@link RulesStep} under the startup rules, with one input (so it can chain to the decoder). */
    static final class UnderStartupRules<I, O> extends ProcessFunction<I, O> {
        private static final long serialVersionUID = 1L;
        private final RulesConfig config;
        private final RulesStep<I, O> step;

        UnderStartupRules(RulesConfig config, RulesStep<I, O> step) {
            this.config = config;
            this.step = step;
        }

        @Override
        public void open(Configuration parameters) {
            step.open(getRuntimeContext());
        }

        @Override
        public void processElement(I in, Context ctx, Collector<O> out) {
            step.apply(in, config, out, ctx::output);
        }
    }

    /**
     * The last word of the live rules on every finding: a rule disabled since startup emits nothing,
     * CEP findings take the rule's current severity; counts findings per rule.
     */
    static final class SettingsCheck implements RulesStep<Finding, Finding> {
        private static final long serialVersionUID = 1L;
        private final Map<String, CepRule> cepRules = new LinkedHashMap<>();
        private transient Map<String, Counter> perRule;
        private transient org.apache.flink.api.common.functions.RuntimeContext ctx;

        SettingsCheck() {
            RuleSet.cepRules().forEach(r -> cepRules.put(r.id(), r));
        }

        @Override
        public void open(org.apache.flink.api.common.functions.RuntimeContext ctx) {
            this.ctx = ctx;
            perRule = new LinkedHashMap<>();
        }

        @Override
        public void apply(Finding f, RulesConfig config, Collector<Finding> out, SideOutput side) {
            if (RuleCatalog.exists(f.ruleId()) && !config.enabled(f.ruleId())) {
                return;
            }
            Finding result = f;
            CepRule pattern = cepRules.get(f.ruleId());
            if (pattern != null) {
                Severity live = pattern.severity(f, config.rule(f.ruleId()));
                if (f.severity() != live) {
                    result = f.withSeverity(live);
                }
            }
            perRule.computeIfAbsent(f.ruleId(), id -> Counters.metrics(ctx).addGroup("rule", id).counter("findings")).inc();
            out.collect(result);
        }
    }

    /** Ties in event time are broken by event id, so CEP sees one order whatever the arrival order. */
    static final class ByEventId implements EventComparator<EcrEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(EcrEvent a, EcrEvent b) {
            return a.eventId().compareTo(b.eventId());
        }
    }

    static final class MatchToFinding extends PatternProcessFunction<EcrEvent, Finding> {
        private static final long serialVersionUID = 1L;
        private final CepRule rule;
        private final RuleSettings settings;

        MatchToFinding(CepRule rule, RuleSettings settings) {
            this.rule = rule;
            this.settings = settings;
        }

        @Override
        public void processMatch(Map<String, List<EcrEvent>> match, Context ctx, Collector<Finding> out) {
            out.collect(rule.toFinding(match, settings));
        }
    }
}
