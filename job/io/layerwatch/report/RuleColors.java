package io.layerwatch.report;

import io.layerwatch.config.RuleCatalog;
import java.util.HashMap;
import java.util.Map;

/**
 * One fixed colour per rule id (catalog order), so every report colours a rule the same; grey for
 * others.
 */
final class RuleColors {
    private static final String[] PALETTE = {
        "#4e79a7", "#a0cbe8", "#f28e2b", "#ffbe7d", "#e15759", "#8f2d2f", "#b07aa1", "#59a14f",
        "#8cd17d", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#b6992d", "#f1ce63", "#499894",
        "#d37295", "#fabfd2", "#d4a6c8", "#d7b5a6"
    };
    private static final String OTHER = "#bab0ac";
    private static final Map<String, String> BY_RULE = new HashMap<>();

    static {
        int i = 0;
        for (String id : RuleCatalog.ids()) {
            BY_RULE.put(id, PALETTE[i++ % PALETTE.length]);
        }
    }

    private RuleColors() {}

    /** A colour literal: never data, so safe in an attribute as is. */
    static String of(String ruleId) {
        return BY_RULE.getOrDefault(ruleId, OTHER);
    }
}
