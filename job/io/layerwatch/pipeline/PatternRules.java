package io.layerwatch.pipeline;

import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.patterns.ByEventId;
import io.layerwatch.patterns.CepRule;
import io.layerwatch.patterns.FindingFolder;
import io.layerwatch.patterns.MatchLogic;
import io.layerwatch.patterns.MatchToFinding;
import io.layerwatch.patterns.PatternMatcher;
import io.layerwatch.patterns.PatternMatchersInPlace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.CEP;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The pattern rules, each keyed as its rule says (principal, access key, registry), and their
 * episodes folded.
 */
final class PatternRules {
    private PatternRules() {}

    /**
     * The rules whose events {@link SingleEventEvaluation} sends through side outputs: all but
     * those {@link PatternMatchersInPlace} runs.
     */
    static List<CepRule> fedBySideOutputs(List<CepRule> cepRules, RuleWiring wiring) {
        List<CepRule> inPlace = sharingAnOperator(cepRules, wiring);
        return cepRules.stream().filter(r -> !inPlace.contains(r)).toList();
    }

    /** The rules {@link PatternMatchersInPlace} runs: in place, those with a {@link MatchLogic}. */
    private static List<CepRule> sharingAnOperator(List<CepRule> cepRules, RuleWiring wiring) {
        return wiring.matchersInPlace()
                ? cepRules.stream().filter(r -> r.matchLogic(wiring.config) != null).toList()
                : List.of();
    }

    /** The key of the in-place matchers' input: none, each rule sets its own. */
    private static String perRule(EcrEvent e) {
        return "";
    }

    /**
     * {@code findings} and the pattern rules' on the events {@link SingleEventEvaluation} sends
     * each (in place: on {@code events}, in one operator), their episodes folded into one finding
     * each. See {@link PatternMatcher.Mode} for when matches are reported.
     */
    static DataStream<Finding> with(
            DataStream<Finding> findings,
            DataStream<EcrEvent> events,
            SingleOutputStreamOperator<Finding> singles,
            List<CepRule> cepRules,
            RuleWiring wiring) {
        RulesConfig config = wiring.config;
        Map<String, Long> gaps = new LinkedHashMap<>();
        Map<String, FindingFolder.Merge> merges = new LinkedHashMap<>();
        Map<String, CepRule> byId = new LinkedHashMap<>();
        List<DataStream<Finding>> matches = new ArrayList<>();
        List<CepRule> sharing = sharingAnOperator(cepRules, wiring);
        for (CepRule rule : cepRules) {
            RuleSettings settings = config.rule(rule.id());
            byId.put(rule.id(), rule);
            gaps.put(rule.id(), rule.foldGap(settings).toMillis());
            merges.put(rule.id(), rule::merge);
            if (sharing.contains(rule)) {
                continue;
            }
            KeyedStream<EcrEvent, String> input =
                    wiring.keyed(
                            singles.getSideOutput(SingleEventEvaluation.patternInput(rule)),
                            rule::key);
            MatchLogic logic = rule.matchLogic(config);
            matches.add(
                    logic != null
                            ? input.process(
                                            new PatternMatcher(
                                                    rule,
                                                    settings,
                                                    logic,
                                                    new ByEventId(),
                                                    wiring.patternMode()))
                                    .uid("match-" + rule.id())
                                    .name(rule.id() + " (matcher)")
                            : CEP.pattern(input, rule.pattern(config), new ByEventId())
                                    .process(new MatchToFinding(rule, settings))
                                    .uid("cep-" + rule.id())
                                    .name(rule.id() + " (CEP)"));
        }
        if (!sharing.isEmpty()) {
            matches.add(
                    wiring.keyed(events, PatternRules::perRule)
                            .transform(
                                    "Pattern matchers in place: "
                                            + String.join(
                                                    ", ",
                                                    sharing.stream().map(CepRule::id).toList()),
                                    TypeInformation.of(Finding.class),
                                    new PatternMatchersInPlace(config, sharing))
                            .uid("match-in-place"));
        }
        return matches.stream()
                .reduce(DataStream::union)
                .map(
                        all ->
                                findings.union(
                                        all.keyBy(
                                                        f -> byId.get(f.ruleId()).foldKey(f),
                                                        Types.STRING)
                                                .process(new FindingFolder(gaps, merges, false))
                                                .uid("fold-episodes")
                                                .name("Fold episodes")))
                .orElse(findings);
    }
}
