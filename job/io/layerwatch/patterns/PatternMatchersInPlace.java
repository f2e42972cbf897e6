package io.layerwatch.patterns;

import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import java.util.List;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.functions.util.FunctionUtils;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Keys in place (the replay's {@code JobShape.Keying.IN_PLACE}: one subtask, input sorted by event
 * time): every pattern matcher in one operator. Each event goes to the matchers whose rule takes it
 * (relevant, not allowlisted), each under the rule's key, with its own state names and timers.
 * Elsewhere each rule has an operator of its own, fed through a side output; here an event reaches
 * its rules without a copy of its record per downstream operator and per rule.
 */
public final class PatternMatchersInPlace extends AbstractStreamOperator<Finding>
        implements OneInputStreamOperator<EcrEvent, Finding> {
    private static final long serialVersionUID = 1L;

    private final RulesConfig config;
    private final List<CepRule> rules;
    private final List<PatternMatcher> matchers;
    private transient RuleSettings[] settings;
    private transient TimerService[] timers;
    private transient TimestampedCollector<Finding> out;

    /**
     * @param rules rules with a {@link MatchLogic} under {@code config}
     */
    public PatternMatchersInPlace(RulesConfig config, List<CepRule> rules) {
        this.config = config;
        this.rules = List.copyOf(rules);
        this.matchers =
                this.rules.stream()
                        .map(
                                r ->
                                        PatternMatcher.sharing(
                                                r,
                                                config.rule(r.id()),
                                                r.matchLogic(config),
                                                new ByEventId()))
                        .toList();
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void open() throws Exception {
        super.open();
        out = new TimestampedCollector<>(output);
        settings = new RuleSettings[rules.size()];
        timers = new TimerService[rules.size()];
        for (int i = 0; i < rules.size(); i++) {
            settings[i] = config.rule(rules.get(i).id());
            PatternMatcher matcher = matchers.get(i);
            FunctionUtils.setFunctionRuntimeContext(matcher, getRuntimeContext());
            FunctionUtils.openFunction(matcher, DefaultOpenContext.INSTANCE);
            timers[i] =
                    new RegisteredTimers(
                            getInternalTimerService(
                                    "timers-" + rules.get(i).id(),
                                    VoidNamespaceSerializer.INSTANCE,
                                    new Fired(i)),
                            this);
        }
    }

    /** The key is each rule's own, set per rule in {@link #processElement}. */
    @Override
    public void setKeyContextElement(StreamRecord<EcrEvent> record) {}

    @Override
    public void processElement(StreamRecord<EcrEvent> record) throws Exception {
        EcrEvent e = record.getValue();
        if (!e.analysed()) {
            return; // a session origin: for workload-credentials-outside only
        }
        out.setTimestamp(record);
        for (int i = 0; i < rules.size(); i++) {
            CepRule rule = rules.get(i);
            if (rule.relevant(e, config) && !settings[i].allowlisted(e)) {
                setCurrentKey(rule.key(e));
                matchers.get(i).sorted(e, record.getTimestamp(), timers[i], out);
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            for (PatternMatcher matcher : matchers) {
                FunctionUtils.closeFunction(matcher);
            }
        } finally {
            super.close();
        }
    }

    /** A rule's timeout timers: the timer service sets the key before it calls. */
    private final class Fired implements Triggerable<Object, VoidNamespace> {
        private final int rule;

        Fired(int rule) {
            this.rule = rule;
        }

        @Override
        public void onEventTime(InternalTimer<Object, VoidNamespace> timer) throws Exception {
            out.setAbsoluteTimestamp(timer.getTimestamp());
            matchers.get(rule).fired(timer.getTimestamp(), timers[rule], out);
        }

        @Override
        public void onProcessingTime(InternalTimer<Object, VoidNamespace> timer) {}
    }
}
