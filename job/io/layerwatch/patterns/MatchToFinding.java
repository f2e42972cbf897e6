package io.layerwatch.patterns;

import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.util.Collector;

public final class MatchToFinding extends PatternProcessFunction<EcrEvent, Finding> {
    private static final long serialVersionUID = 1L;
    private final CepRule rule;
    private final RuleSettings settings;

    public MatchToFinding(CepRule rule, RuleSettings settings) {
        this.rule = rule;
        this.settings = settings;
    }

    @Override
    public void processMatch(
            Map<String, List<EcrEvent>> match, Context ctx, Collector<Finding> out) {
        out.collect(rule.toFinding(match, settings));
    }
}
