package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.finding.Finding;
import io.layerwatch.testing.MiniClusters;
import io.layerwatch.util.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * At-least-once input: the demo story with every record delivered twice, and its CloudTrail records
 * a third time in another payload (a CloudTrail log file), gives the findings of the story
 * delivered once.
 */
class DuplicateDeliveryIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void everyRecordDeliveredTwiceOrThriceGivesTheFindingsOfOneDelivery(int parallelism)
            throws Exception {
        // A payload per 10 minutes of the story (less than the 15 minute bound), in order.
        Map<Long, List<String>> windows = new TreeMap<>();
        for (String line : PipelineIT.resource("demo/attack-story.jsonl").split("\n")) {
            var node = Json.tree(line);
            String time =
                    node == null
                            ? null
                            : node.path("eventTime").asText(node.path("time").asText(null));
            windows.computeIfAbsent(
                            time == null
                                    ? Long.MAX_VALUE
                                    : Instant.parse(time).toEpochMilli() / 600_000L,
                            w -> new ArrayList<>())
                    .add(line);
        }
        List<Payload> once = new ArrayList<>();
        List<Payload> repeated = new ArrayList<>();
        windows.forEach(
                (w, lines) -> {
                    once.add(payload("window" + w, String.join("\n", lines)));
                    StringBuilder twice = new StringBuilder();
                    List<String> cloudTrail = new ArrayList<>();
                    for (String line : lines) {
                        twice.append(line).append('\n').append(line).append('\n');
                        if (line.contains("\"eventTime\"")) {
                            cloudTrail.add(line);
                        }
                    }
                    repeated.add(payload("window" + w, twice.toString()));
                    // the same records again, after the window, as a CloudTrail log file
                    repeated.add(
                            payload(
                                    "window" + w + ".json",
                                    "{\"Records\":[" + String.join(",", cloudTrail) + "]}"));
                });

        PipelineHarness.Result one = PipelineHarness.run(once, PipelineIT.demoRules(), parallelism);
        PipelineHarness.Result dup =
                PipelineHarness.run(repeated, PipelineIT.demoRules(), parallelism);

        assertThat(one.countsByRule()).isEqualTo(PipelineIT.STORY_EXPECTED);
        assertThat(dup.countsByRule()).isEqualTo(PipelineIT.STORY_EXPECTED);
        assertThat(view(dup.latest())).isEqualTo(view(one.latest()));
        assertThat(sent(dup.emitted())).as("what a sink is sent").isEqualTo(sent(one.emitted()));
        long matchedOnce = one.job().<Long>getAccumulatorResult(Counters.EVENTS_MATCHED);
        long matchedDup = dup.job().<Long>getAccumulatorResult(Counters.EVENTS_MATCHED);
        assertThat(matchedDup).isGreaterThan(2 * matchedOnce);
        assertThat(dup.job().<Long>getAccumulatorResult(Counters.DUPLICATES_DROPPED))
                .isGreaterThanOrEqualTo(matchedDup - matchedOnce);
    }

    private static Payload payload(String name, String text) {
        return Payload.ofBytes(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** What tells findings apart for a reader: rule, event ids, count, details, by finding id. */
    private static Map<String, String> view(Map<String, Finding> latest) {
        Map<String, String> view = new TreeMap<>();
        latest.forEach(
                (id, f) ->
                        view.put(
                                id,
                                f.ruleId()
                                        + " "
                                        + f.severity()
                                        + " "
                                        + f.eventCount()
                                        + " "
                                        + f.eventIds().stream().sorted().toList()
                                        + " "
                                        + new TreeMap<>(f.details())));
        return view;
    }

    /** How many versions of each finding were emitted. */
    private static Map<String, Long> sent(List<Finding> emitted) {
        return emitted.stream()
                .collect(Collectors.groupingBy(Finding::id, TreeMap::new, Collectors.counting()));
    }
}
