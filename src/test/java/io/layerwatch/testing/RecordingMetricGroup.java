package io.layerwatch.testing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * A metric group that remembers what was registered below it: each counter by its scope (group
 * names, and key=value for key-value groups, joined by dots) and the key-value variables of its
 * group, which is what Managed Service for Apache Flink publishes as CloudWatch dimensions.
 */
public final class RecordingMetricGroup extends UnregisteredMetricsGroup {
    private final String scope;
    private final Map<String, String> variables;
    private final Map<String, Counter> counters;
    private final Map<String, Map<String, String>> dimensions;

    public RecordingMetricGroup() {
        this("", Map.of(), new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    private RecordingMetricGroup(
            String scope,
            Map<String, String> variables,
            Map<String, Counter> counters,
            Map<String, Map<String, String>> dimensions) {
        this.scope = scope;
        this.variables = variables;
        this.counters = counters;
        this.dimensions = dimensions;
    }

    @Override
    public MetricGroup addGroup(String name) {
        return new RecordingMetricGroup(scope + name + ".", variables, counters, dimensions);
    }

    @Override
    public MetricGroup addGroup(String key, String value) {
        Map<String, String> v = new LinkedHashMap<>(variables);
        v.put(key, value);
        return new RecordingMetricGroup(
                scope + key + "=" + value + ".",
                Collections.unmodifiableMap(v),
                counters,
                dimensions);
    }

    @Override
    public Counter counter(String name) {
        return counter(name, new SimpleCounter());
    }

    @Override
    public <C extends Counter> C counter(String name, C counter) {
        counters.put(scope + name, counter);
        dimensions.put(scope + name, variables);
        return counter;
    }

    @Override
    public Map<String, String> getAllVariables() {
        return variables;
    }

    /**
     * Every counter registered below the root, by scope and name, e.g.
     * "kinesisanalytics.sink=sns.delivered".
     */
    public Map<String, Counter> counters() {
        return Collections.unmodifiableMap(counters);
    }

    /** The key-value variables of the group each counter was registered in. */
    public Map<String, String> variablesOf(String scopedName) {
        return dimensions.get(scopedName);
    }
}
