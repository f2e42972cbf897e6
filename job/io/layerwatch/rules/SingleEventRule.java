package io.layerwatch.rules;

import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import java.io.Serializable;
import java.util.Optional;

/**
 * A rule that judges one event on its own. The pipeline calls it only when the rule is enabled and
 * the event is not covered by the rule's allowlist; late events are evaluated too.
 */
public interface SingleEventRule extends Serializable {

    String id();

    Optional<Finding> evaluate(EcrEvent event, RuleSettings settings);

    /**
     * A cheap test made before the allowlist's: false when {@link #evaluate} finds nothing in this
     * event whatever the allowlist (not the rule's API or event kind). Most events concern few
     * rules.
     */
    default boolean applies(EcrEvent event, RuleSettings settings) {
        return true;
    }
}
