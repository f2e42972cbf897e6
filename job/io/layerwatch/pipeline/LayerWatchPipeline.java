package io.layerwatch.pipeline;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.EventKind;
import io.layerwatch.finding.Finding;
import io.layerwatch.patterns.AttackSequence;
import io.layerwatch.patterns.CepRule;
import io.layerwatch.patterns.FindingFolder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * The one place that wires the job: payloads -> decode -> ECR filter -> event time -> without
 * copies -> single-event rules and pattern inputs -> keyed rules (pulls and pushes by repository,
 * logins by access key, session origins by session key, patterns by principal or registry) ->
 * repeats folded -> live settings -> incidents by actor. Source and sinks are the caller's, so
 * replay, tests and the streaming mode share it; {@link JobShape} holds the caller's choices,
 * {@link RuleWiring} what they mean for the rules.
 */
public final class LayerWatchPipeline {
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));
    public static final OutputTag<EcrEvent> LATE_EVENTS =
            new OutputTag<>("late-events", TypeInformation.of(EcrEvent.class));
    private static final TypeInformation<Finding> FINDING = TypeInformation.of(Finding.class);

    /**
     * System property: {@code -Dlayerwatch.prefilter=false} turns off the decoder's byte-level
     * prefilter (read when the job is built); the results are the same, only slower.
     */
    public static final String PREFILTER_PROPERTY = "layerwatch.prefilter";

    /**
     * What the pipeline produces; the caller attaches sinks. customActions: Security Hub
     * custom-action requests.
     */
    public record Outputs(
            DataStream<Finding> findings,
            DataStream<DeadLetter> deadLetters,
            DataStream<EcrEvent> lateEvents,
            DataStream<EcrEvent> customActions) {}

    private LayerWatchPipeline() {}

    public static Outputs build(DataStream<Payload> payloads, RulesConfig config, JobShape shape) {
        RuleWiring wiring = RuleWiring.of(payloads, config, shape);
        SingleOutputStreamOperator<EcrEvent> decoded = shape.decoded(payloads);
        SingleOutputStreamOperator<EcrEvent> relevant =
                decoded.filter(new RelevanceFilter(shape.scope()))
                        .uid("filter-ecr")
                        .name("Keep ECR events in range");
        SingleOutputStreamOperator<EcrEvent> timed = shape.watermarks().assign(relevant, config);
        SingleOutputStreamOperator<EcrEvent> tagged =
                timed.process(new LateTagger()).uid("late-events").name("Tag late events");
        shape.decoderParallelism(List.of(decoded, relevant, timed, tagged));
        DataStream<EcrEvent> events = wiring.distinct(tagged);

        List<CepRule> cepRules = RuleSet.cepRules().stream().filter(r -> r.active(config)).toList();
        SingleOutputStreamOperator<Finding> singles =
                wiring.underRulesChained(
                                events,
                                new SingleEventEvaluation(
                                        PatternRules.fedBySideOutputs(cepRules, wiring)),
                                FINDING)
                        .uid("rules-single-event")
                        .name("Single-event rules, pattern inputs");
        DataStream<Finding> findings =
                PatternRules.with(
                        foldRepeats(singles.union(KeyedRules.of(events, wiring)), wiring),
                        events,
                        singles,
                        cepRules,
                        wiring);
        DataStream<Finding> live =
                wiring.underRules(findings, new SettingsCheck(), FINDING)
                        .uid("live-settings")
                        .name("Live rule settings");
        DataStream<EcrEvent> customActions =
                decoded.filter(e -> e.kind() == EventKind.CUSTOM_ACTION)
                        .uid("custom-actions")
                        .name("Security Hub custom actions");
        return new Outputs(
                withIncidents(live, wiring),
                decoded.getSideOutput(DEAD_LETTERS).union(singles.getSideOutput(DEAD_LETTERS)),
                tagged.getSideOutput(LATE_EVENTS),
                customActions);
    }

    /**
     * The findings, and each member re-emitted marked with its incident and the incidents
     * (attack-sequence).
     */
    private static DataStream<Finding> withIncidents(
            DataStream<Finding> findings, RuleWiring wiring) {
        return !wiring.config.enabled(AttackSequence.ID)
                ? findings
                : wiring.keyed(findings, AttackSequence::actor)
                        .process(new AttackSequence(wiring.config, wiring.findingsInOrder()))
                        .uid("rule-" + AttackSequence.ID)
                        .name(AttackSequence.ID + " (by actor)");
    }

    /**
     * Repeats of the one-per-event rules (same rule, principal, repository, source address within
     * the rule's foldWindow) are one finding; in a replay folded in event-time order, so at any
     * parallelism the same.
     */
    private static DataStream<Finding> foldRepeats(
            DataStream<Finding> findings, RuleWiring wiring) {
        Map<String, Long> gaps = new LinkedHashMap<>();
        for (RuleCatalog.Rule rule : RuleCatalog.rules()) {
            long gap = wiring.config.rule(rule.id()).foldWindow().toMillis();
            if (gap > 0 && wiring.config.enabled(rule.id())) {
                gaps.put(rule.id(), gap);
            }
        }
        return gaps.isEmpty()
                ? findings
                : wiring.keyed(findings, FindingFolder::repeatKey)
                        .process(new FindingFolder(gaps, Map.of(), wiring.findingsInOrder()))
                        .uid("fold-repeats")
                        .name("Fold repeats");
    }
}
