package io.layerwatch.pipeline;

import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.patterns.CepRule;
import io.layerwatch.rules.SingleEventRule;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Runs every enabled single-event rule whose allowlist does not cover the event. A rule that fails
 * on an event dead-letters that event (stage "rule:ID") instead of stopping the job. Also sends
 * each pattern rule it is given, to its side output ({@link #patternInput}), the events it may
 * match: relevant and not allowlisted. (One operator, so each event crosses one network edge to the
 * pattern rules instead of one per rule.)
 */
final class SingleEventEvaluation implements RulesStep<EcrEvent, Finding> {
    private static final long serialVersionUID = 1L;
    private final List<SingleEventRule> rules = RuleSet.singleEventRules();
    private final List<CepRule> patterns;
    private transient List<OutputTag<EcrEvent>> patternInputs;
    private transient LongCounter deadLettered;

    SingleEventEvaluation(List<CepRule> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    @Override
    public void open(RuntimeContext ctx) {
        deadLettered = ctx.getLongCounter(Counters.DEAD_LETTERED);
        patternInputs = patterns.stream().map(SingleEventEvaluation::patternInput).toList();
    }

    /** Where the events a pattern rule may match go. */
    static OutputTag<EcrEvent> patternInput(CepRule rule) {
        return new OutputTag<>("pattern-input-" + rule.id(), TypeInformation.of(EcrEvent.class));
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
                settings[i] =
                        config.rule(
                                i < rules.size()
                                        ? rules.get(i).id()
                                        : patterns.get(i - rules.size()).id());
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
                side.output(
                        LayerWatchPipeline.DEAD_LETTERS,
                        DeadLetter.of(
                                e.eventId(),
                                "rule:" + rule.id(),
                                "rule failed: " + failure,
                                e.raw()));
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
