package io.layerwatch.finding;

import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.rules.RegistryNotAssessed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Finding.later: the version kept of one finding id does not depend on the order versions arrive
 * in.
 */
class FindingVersionsTest {

    private static Finding notAssessed(String repository, String time, String eventId) {
        return new RegistryNotAssessed()
                .evaluate(
                        record("CreateRepository")
                                .repositoryName(repository)
                                .time(Instant.parse(time))
                                .eventId(eventId)
                                .event(),
                        RulesConfigLoader.fromYaml(
                                        "rules:\n  registry-not-assessed:\n    registries: [\"111122223333:*\"]\n",
                                        "r.yaml")
                                .rule(RegistryNotAssessed.ID))
                .orElseThrow();
    }

    @Test
    void theLatestActivityByEventTimeThenIdIsKeptInAnyArrivalOrder() {
        List<Finding> versions =
                new ArrayList<>(
                        List.of(
                                notAssessed("a", "2024-05-01T10:00:00Z", "e-1"),
                                notAssessed("b", "2024-05-01T12:00:00Z", "e-2"),
                                notAssessed("c", "2024-05-01T12:00:00Z", "e-3"),
                                notAssessed("d", "2024-05-01T11:00:00Z", "e-4")));
        assertThat(versions).extracting(Finding::id).containsOnly(versions.get(0).id());
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(versions, random);
            Finding kept = versions.stream().reduce(Finding::later).orElseThrow();
            assertThat(kept.repository().name()).isEqualTo("c");
        }
    }

    @Test
    void anEpisodeKeepsItsGrownVersionEvenWhenAnEarlierOneArrivesLast() {
        Finding first = notAssessed("a", "2024-05-01T10:00:00Z", "e-1");
        Finding grown =
                first.withUpdate(
                        3,
                        first.lastEventTime().plusSeconds(60),
                        List.of("e-1", "e-2", "e-3"),
                        first.details(),
                        first.evidence());
        Finding sameTimeMoreEvents =
                first.withUpdate(
                        2,
                        first.lastEventTime(),
                        List.of("e-1", "e-0"),
                        first.details(),
                        first.evidence());

        assertThat(Finding.later(grown, first)).isSameAs(grown);
        assertThat(Finding.later(first, grown)).isSameAs(grown);
        assertThat(Finding.later(sameTimeMoreEvents, first)).isSameAs(sameTimeMoreEvents);
    }
}
