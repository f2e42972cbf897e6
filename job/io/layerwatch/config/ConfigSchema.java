package io.layerwatch.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The declared keys of one mapping of the config file, and the check of a YAML node against them.
 * The rules, sinks, input, incident and remediation sections all declare their keys here; {@link
 * #check} collects one "key path: problem" line per fault (unknown keys with the closest valid key
 * suggested, values of the wrong type or out of range, choices outside their set) so the loader can
 * fail once naming the file and every bad key.
 */
final class ConfigSchema {

    /** What one key holds. */
    sealed interface Entry permits Value, Choice, Mapping, Section, Named {}

    /** A scalar or a list, parsed (and range-checked) by its type. */
    record Value(ParamType type) implements Entry {}

    /** One of a few names, any case, '-' for '_' (see {@link #choice}). */
    record Choice(Set<String> names) implements Entry {}

    /** A nested mapping with keys of its own. */
    record Mapping(ConfigSchema schema) implements Entry {}

    /** A mapping the caller checks on its own: here only that it is a mapping. */
    record Section() implements Entry {}

    /**
     * A mapping whose keys are names chosen by the user (account ids, rule ids), each holding a
     * value of {@code value}; {@code keyCheck} returns the problem with a name, or null when it is
     * fine.
     */
    record Named(Entry value, Function<String, String> keyCheck) implements Entry {}

    private final Map<String, Entry> entries;

    private ConfigSchema(Map<String, Entry> entries) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    static Builder builder() {
        return new Builder();
    }

    /** The declared keys, in declaration order. */
    Set<String> keys() {
        return entries.keySet();
    }

    /** What {@code key} holds, or null when it is not declared. */
    Entry entry(String key) {
        return entries.get(key);
    }

    /**
     * Adds one "path.key: problem" line to {@code errors} per fault of {@code node} ({@code path}
     * "" at the top).
     */
    void check(JsonNode node, String path, List<String> errors) {
        if (!node.isObject()) {
            errors.add(
                    (path.isEmpty() ? "(top level)" : path)
                            + ": "
                            + ParamType.describe(node)
                            + " is not a mapping");
            return;
        }
        String prefix = path.isEmpty() ? "" : path + ".";
        node.fields()
                .forEachRemaining(
                        field -> {
                            String key = prefix + field.getKey();
                            Entry entry = entries.get(field.getKey());
                            if (entry == null) {
                                errors.add(
                                        key
                                                + ": unknown key"
                                                + suggestion(field.getKey(), entries.keySet()));
                            } else {
                                checkValue(entry, field.getValue(), key, errors);
                            }
                        });
    }

    private static void checkValue(Entry entry, JsonNode value, String path, List<String> errors) {
        if (entry instanceof Value v) {
            try {
                v.type().parse(value);
            } catch (IllegalArgumentException e) {
                errors.add(path + ": " + e.getMessage());
            }
        } else if (entry instanceof Choice c) {
            String name = value.isTextual() ? choice(value.asText()) : null;
            if (name == null || !c.names().contains(name)) {
                errors.add(
                        path
                                + ": "
                                + ParamType.describe(value)
                                + " is not one of "
                                + String.join(", ", new TreeSet<>(c.names()))
                                        .toLowerCase(Locale.ROOT));
            }
        } else if (entry instanceof Mapping m) {
            m.schema().check(value, path, errors);
        } else if (!value.isObject()) {
            errors.add(path + ": " + ParamType.describe(value) + " is not a mapping");
        } else if (entry instanceof Named n) {
            value.fields()
                    .forEachRemaining(
                            field -> {
                                String key = path + "." + field.getKey();
                                String problem = n.keyCheck().apply(field.getKey());
                                if (problem != null) {
                                    errors.add(key + ": " + problem);
                                } else {
                                    checkValue(n.value(), field.getValue(), key, errors);
                                }
                            });
        }
    }

    /** A choice as declared: trimmed, upper case, '_' for '-'. */
    static String choice(String value) {
        return value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /**
     * " (did you mean 'x'?)" for the closest of {@code valid}, else " (valid keys: ...)", else "".
     */
    static String suggestion(String key, Iterable<String> valid) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        List<String> all = new ArrayList<>();
        for (String candidate : valid) {
            all.add(candidate);
            int d = distance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        if (best != null && bestDistance <= Math.max(2, best.length() / 3)) {
            return " (did you mean '" + best + "'?)";
        }
        return all.isEmpty() ? "" : " (valid keys: " + String.join(", ", all) + ")";
    }

    /** The Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Declares keys in the order unknown-key messages list them. */
    static final class Builder {
        private final Map<String, Entry> entries = new LinkedHashMap<>();

        private Builder() {}

        Builder value(String key, ParamType type) {
            return put(key, new Value(type));
        }

        /** Several keys holding values of one type, in the order given. */
        Builder values(ParamType type, String... keys) {
            for (String key : keys) {
                value(key, type);
            }
            return this;
        }

        /** A key holding one of {@code names} (declared upper case, '_' between words). */
        Builder choice(String key, String... names) {
            return put(key, new Choice(Set.of(names)));
        }

        Builder mapping(String key, ConfigSchema schema) {
            return put(key, new Mapping(schema));
        }

        /** A mapping the caller checks apart (after this level), in its own order. */
        Builder section(String key) {
            return put(key, new Section());
        }

        /** A mapping of user-chosen names, each holding a value of {@code type}. */
        Builder named(String key, Function<String, String> keyCheck, ParamType type) {
            return put(key, new Named(new Value(type), keyCheck));
        }

        /** A mapping of user-chosen names, each holding a mapping of {@code schema}. */
        Builder named(String key, Function<String, String> keyCheck, ConfigSchema schema) {
            return put(key, new Named(new Mapping(schema), keyCheck));
        }

        /** Every key of {@code other} (shared keys such as every sink's enabled and policy). */
        Builder all(ConfigSchema other) {
            entries.putAll(other.entries);
            return this;
        }

        ConfigSchema build() {
            return new ConfigSchema(entries);
        }

        private Builder put(String key, Entry entry) {
            entries.put(key, entry);
            return this;
        }
    }
}
