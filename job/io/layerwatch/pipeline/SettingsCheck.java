package io.layerwatch.pipeline;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.patterns.CepRule;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * The last word of the live rules on every finding: a rule disabled since startup emits nothing,
 * CEP findings take the rule's current severity; counts findings per rule.
 */
final class SettingsCheck implements RulesStep<Finding, Finding> {
    private static final long serialVersionUID = 1L;
    private final Map<String, CepRule> cepRules = new LinkedHashMap<>();
    private transient Map<String, Counter> perRule;
    private transient RuntimeContext ctx;

    SettingsCheck() {
        RuleSet.cepRules().forEach(r -> cepRules.put(r.id(), r));
    }

    @Override
    public void open(RuntimeContext ctx) {
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
        perRule.computeIfAbsent(
                        f.ruleId(),
                        id -> Counters.metrics(ctx).addGroup("rule", id).counter("findings"))
                .inc();
        out.collect(result);
    }
}
