package io.layerwatch.patterns;

import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.Severity;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.pattern.Pattern;

/**
 * A rule detected by a Flink CEP pattern over a keyed stream. Matches become candidate findings;
 * {@link FindingFolder} folds candidates with the same fold key into one finding (same id).
 */
public interface CepRule extends Serializable {

    String id();

    /** Whether the rule can run with this config (e.g. the network hop needs trusted networks). */
    default boolean active(RulesConfig config) {
        return config.enabled(id());
    }

    /**
     * The events that may take part in a match (applied before keyBy; allowlisted events are
     * dropped too).
     */
    boolean relevant(EcrEvent e, RulesConfig config);

    /**
     * The CEP key: the principal, or the registry for repository patterns with registry-wide
     * events.
     */
    String key(EcrEvent e);

    /**
     * The CEP pattern, or null when the rule has none (its {@link #matchLogic} then defines it).
     */
    Pattern<EcrEvent, ?> pattern(RulesConfig config);

    /**
     * The same matches as {@link #pattern} without CEP's NFA (see {@link PatternMatcher}), or null
     * to run the pattern on Flink CEP. CEP keeps a partial match per event in the window and scans
     * them all for every event; for busy principals that is quadratic.
     */
    default MatchLogic matchLogic(RulesConfig config) {
        return null;
    }

    Finding toFinding(Map<String, List<EcrEvent>> match, RuleSettings settings);

    /**
     * A finding's severity under the settings in force (the rule's, unless the rule sets its own on
     * some).
     */
    default Severity severity(Finding f, RuleSettings settings) {
        return settings.severity();
    }

    /**
     * Candidates with the same fold key whose first event lies within this gap of the last fold.
     */
    Duration foldGap(RuleSettings settings);

    default String foldKey(Finding f) {
        return f.ruleId() + "|" + f.key();
    }

    /** Folds {@code next} into {@code current}; the id and first event of {@code current} stay. */
    default Finding merge(Finding current, Finding next) {
        return FindingFolder.mergeDefault(current, next);
    }
}
