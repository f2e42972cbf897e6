package io.layerwatch.patterns;

import static io.layerwatch.patterns.MatcherHarness.arrive;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.pipeline.RuleSet;
import io.layerwatch.rules.NetworkTrustTest;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.util.Json;
import java.time.Instant;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Judged on arrival (streaming): a match is reported when the event that completes it arrives,
 * whatever the watermark; out-of-order events are judged in event-time order, late ones not at all;
 * the watermark only makes events final and frees state. Rules as in {@link
 * PatternMatcherIT#CONFIG}: 4 distinct layers within 10 minutes, a hop within 20 minutes, lateness
 * 5 minutes.
 */
class PatternMatcherArrivalTest {

    private static final Instant T = Instant.parse("2024-05-01T10:00:00Z");
    private static final long LONG_AGO = T.toEpochMilli() - 3_600_000;

    @Test
    void aBurstIsReportedOnTheEventThatCompletesItNotOnTheWatermark() throws Exception {
        try (var h = harness(rule(LayerDownloadBurst.ID), PatternMatcher.Mode.ARRIVAL)) {
            h.processWatermark(new Watermark(LONG_AGO));
            for (int i = 0; i < 3; i++) {
                arrive(h, layer(i * 60, "sha256:" + i));
            }
            assertThat(h.extractOutputValues()).isEmpty();
            arrive(h, layer(180, "sha256:3"));
            assertThat(h.extractOutputValues())
                    .as("on the fourth distinct layer, the watermark an hour behind")
                    .singleElement()
                    .satisfies(
                            f -> {
                                assertThat(f.eventCount()).isEqualTo(4);
                                assertThat(f.firstEventTime()).isEqualTo(T);
                            });
            assertThat(h.numKeyedStateEntries())
                    .as("events wait for the watermark to become final")
                    .isPositive();

            h.processWatermark(new Watermark(T.toEpochMilli() + 3_600_000));
            assertThat(h.extractOutputValues())
                    .as("nothing again once the watermark passes")
                    .hasSize(1);
            assertThat(h.numKeyedStateEntries()).as("state once every event is final").isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void outOfOrderArrivalsGiveWhatTheWatermarkModeGives() throws Exception {
        List<EcrEvent> arrivals =
                List.of(
                        layer(180, "sha256:3"),
                        layer(60, "sha256:1"),
                        layer(120, "sha256:2"),
                        layer(0, "sha256:0"));
        List<Finding> early;
        try (var h = harness(rule(LayerDownloadBurst.ID), PatternMatcher.Mode.ARRIVAL)) {
            h.processWatermark(new Watermark(LONG_AGO));
            arrivals.forEach(e -> arrive(h, e));
            early = h.extractOutputValues();
            assertThat(early)
                    .singleElement()
                    .satisfies(f -> assertThat(f.firstEventTime()).isEqualTo(T));
        }
        try (var h = harness(rule(LayerDownloadBurst.ID), PatternMatcher.Mode.WATERMARK)) {
            h.processWatermark(new Watermark(LONG_AGO));
            arrivals.forEach(e -> arrive(h, e));
            assertThat(h.extractOutputValues()).as("buffered until the watermark").isEmpty();
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(Json.write(h.extractOutputValues())).isEqualTo(Json.write(early));
        }
    }

    @Test
    void aMatchIsReportedOnceWhenALaterArrivalLeavesItAsItWas() throws Exception {
        try (var h = harness(rule(LayerDownloadBurst.ID), PatternMatcher.Mode.ARRIVAL)) {
            h.processWatermark(new Watermark(LONG_AGO));
            for (int i = 0; i < 4; i++) {
                arrive(h, layer(i * 60, "sha256:" + i));
            }
            // out of order, inside the match, a layer it has already: judged again, the same match
            arrive(h, layer(90, "sha256:0"));
            assertThat(h.extractOutputValues()).hasSize(1);
        }
    }

    @Test
    void aKeyWithTooManyEventsPendingIsJudgedByTheWatermarkOnceOutOfOrder() throws Exception {
        try (var h = harness(rule(LayerDownloadBurst.ID), PatternMatcher.Mode.ARRIVAL)) {
            h.processWatermark(new Watermark(LONG_AGO));
            for (int i = 0; i < PatternMatcher.REBUILD_LIMIT; i++) {
                arrive(h, layer(300 + i / 10, "sha256:same"));
            }
            for (int i = 1; i <= 3; i++) {
                arrive(h, layer(300 - i, "sha256:" + i)); // out of order: not judged again now
            }
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(f -> assertThat(f.firstEventTime()).isEqualTo(T.plusSeconds(297)));
        }
    }

    @Test
    void aLateEventDoesNotCount() throws Exception {
        try (var h = harness(rule(LayerDownloadBurst.ID), PatternMatcher.Mode.ARRIVAL)) {
            h.processWatermark(new Watermark(T.toEpochMilli()));
            for (int i = 0; i < 4; i++) {
                arrive(h, layer(i * 60, "sha256:" + i)); // the first one at the watermark: late
            }
            assertThat(h.extractOutputValues()).isEmpty();
            arrive(h, layer(200, "sha256:4"));
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(f -> assertThat(f.firstEventTime()).isEqualTo(T.plusSeconds(60)));
        }
    }

    @Test
    void aHopIsReportedWhenItsSecondEventArrivesInEitherOrder() throws Exception {
        EcrEvent trusted = call(0, "10.0.0.1");
        EcrEvent untrusted = call(300, "198.51.100.7");
        for (List<EcrEvent> arrivals :
                List.of(List.of(trusted, untrusted), List.of(untrusted, trusted))) {
            try (var h = harness(rule(CredentialNetworkHop.ID), PatternMatcher.Mode.ARRIVAL)) {
                h.processWatermark(new Watermark(LONG_AGO));
                arrive(h, arrivals.get(0));
                assertThat(h.extractOutputValues()).isEmpty();
                arrive(h, arrivals.get(1));
                assertThat(h.extractOutputValues())
                        .as("arrivals %s", arrivals.get(0).sourceIp())
                        .singleElement()
                        .satisfies(
                                f -> {
                                    assertThat(f.eventIds())
                                            .containsExactly(
                                                    trusted.eventId(), untrusted.eventId());
                                    assertThat(f.sourceIp()).isEqualTo("198.51.100.7");
                                });
            }
        }
    }

    @Test
    void aHopToAPrivateAddressThroughAnUntrustedEndpointIsReported() throws Exception {
        EcrEvent fromCorp = NetworkTrustTest.pull("10.0.0.1").time(T).event();
        EcrEvent viaAttacker =
                NetworkTrustTest.pull("10.1.2.3")
                        .vpcEndpointId(NetworkTrustTest.ATTACKER_VPCE)
                        .time(T.plusSeconds(300))
                        .event();
        try (var h =
                MatcherHarness.matcher(
                        rule(CredentialNetworkHop.ID),
                        NetworkTrustTest.CONFIG,
                        PatternMatcher.Mode.ARRIVAL)) {
            h.processWatermark(new Watermark(LONG_AGO));
            arrive(h, fromCorp);
            arrive(h, viaAttacker);
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            f ->
                                    assertThat(f.eventIds())
                                            .containsExactly(
                                                    fromCorp.eventId(), viaAttacker.eventId()));
        }
    }

    private static CepRule rule(String id) {
        return RuleSet.cepRules().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> harness(
            CepRule rule, PatternMatcher.Mode mode) throws Exception {
        return MatcherHarness.matcher(rule, PatternMatcherIT.CONFIG, mode);
    }

    private static EcrEvent layer(int second, String digest) {
        return CloudTrailRecords.record("GetDownloadUrlForLayer")
                .assumedRole(ACCOUNT, "builder", "s1")
                .time(T.plusSeconds(second))
                .sourceIp("10.0.0.1")
                .requestParameters(
                        CloudTrailRecords.object(
                                "repositoryName",
                                "app",
                                "registryId",
                                ACCOUNT,
                                "layerDigest",
                                digest))
                .event();
    }

    private static EcrEvent call(int second, String ip) {
        return CloudTrailRecords.record("BatchGetImage")
                .assumedRole(ACCOUNT, "ci", "s1")
                .time(T.plusSeconds(second))
                .sourceIp(ip)
                .requestParameters(
                        CloudTrailRecords.object("repositoryName", "app", "registryId", ACCOUNT))
                .event();
    }
}
