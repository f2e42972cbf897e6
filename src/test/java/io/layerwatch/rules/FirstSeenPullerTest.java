package io.layerwatch.rules;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.TIME;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.LiveRules;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * first-seen-puller's keyed state (learning start, last sighting per puller, pulls waiting for the
 * watermark) and event-time timers, under live rules and in place under the startup rules.
 */
class FirstSeenPullerTest {

    /** Learns for an hour, forgets after a day; state lives for both: 25 hours. */
    static final RulesConfig CONFIG =
            RulesConfigLoader.fromYaml(
                    "rules:\n  first-seen-puller: {learningPeriod: 1h, forgetAfter: 1d}\n",
                    "fs.yaml");

    static final RulesConfig ALLOW_INTRUDER =
            RulesConfigLoader.fromYaml(
                    "rules:\n  first-seen-puller:\n    learningPeriod: 1h\n    forgetAfter: 1d\n"
                            + "    allowlist: {principals: [\"*:role/intruder\"]}\n",
                    "fs-allow.yaml");
    static final long RETENTION = Duration.ofHours(25).toMillis();

    /** Learning start and last sightings, once no pull waits for the watermark. */
    static final int SETTLED_ENTRIES = 2;

    static long at(long minutes) {
        return TIME.plus(Duration.ofMinutes(minutes)).toEpochMilli();
    }

    static EcrEvent pull(String role, long minute) {
        return record("BatchGetImage")
                .assumedRole(ACCOUNT, role, "s")
                .time(TIME.plus(Duration.ofMinutes(minute)))
                .repositoryName("payments")
                .event();
    }

    /**
     * The rule as the pipeline runs it under live rules: pulls keyed by repository, rule updates
     * broadcast.
     */
    static KeyedTwoInputStreamOperatorTestHarness<String, EcrEvent, RulesUpdate, Finding> live(
            RulesConfig config) throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new FirstSeenPuller(config), List.of(LiveRules.STATE)),
                        EcrEvent::repositoryKey,
                        null,
                        Types.STRING);
        h.open();
        return h;
    }

    static void send(
            KeyedTwoInputStreamOperatorTestHarness<String, EcrEvent, RulesUpdate, Finding> h,
            EcrEvent e)
            throws Exception {
        h.processElement1(e, e.eventTime());
    }

    static void watermark(
            KeyedTwoInputStreamOperatorTestHarness<String, EcrEvent, RulesUpdate, Finding> h,
            long time)
            throws Exception {
        h.processBothWatermarks(new Watermark(time));
    }

    @Test
    void pullsInTheLearningPeriodAreLearnedWithoutFindings() throws Exception {
        try (var h = live(CONFIG)) {
            send(h, pull("app", 0));
            send(h, pull("web", 30));
            send(h, pull("web", 30));
            assertThat(h.numEventTimeTimers()).as("one timer per distinct event time").isEqualTo(2);
            assertThat(h.numKeyedStateEntries())
                    .as("nothing judged yet: only the waiting pulls")
                    .isEqualTo(1);

            watermark(h, at(59));
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries())
                    .as("learning start, last sightings")
                    .isEqualTo(SETTLED_ENTRIES);
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void aPullerFirstSeenAfterTheLearningPeriodIsReportedOnce() throws Exception {
        try (var h = live(CONFIG)) {
            send(h, pull("app", 0));
            send(h, pull("intruder", 95));
            send(h, pull("intruder", 96));
            watermark(h, at(95));
            assertThat(h.numEventTimeTimers()).as("the pull at 96 still waits").isEqualTo(1);
            watermark(h, at(96));
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).isEqualTo(SETTLED_ENTRIES);

            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            f -> {
                                assertThat(f.principal().arn())
                                        .isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/intruder");
                                assertThat(f.firstEventTime())
                                        .isEqualTo(TIME.plus(Duration.ofMinutes(95)));
                                assertThat(f.details())
                                        .containsEntry("firstSeen", true)
                                        .containsEntry("learningStartedAt", TIME.toString());
                            });
        }
    }

    @Test
    void aPullerLearnedInTheLearningPeriodIsKnownAfterIt() throws Exception {
        try (var h = live(CONFIG)) {
            send(h, pull("app", 0));
            send(h, pull("web", 30));
            send(h, pull("web", 90));
            send(h, pull("app", 120));
            watermark(h, at(120));
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void anArrivalOrderOtherThanEventTimeGivesTheSameFinding() throws Exception {
        try (var h = live(CONFIG)) {
            // the intruder's pull arrives first, the pull that starts the learning later
            send(h, pull("intruder", 95));
            send(h, pull("app", 0));
            assertThat(h.numEventTimeTimers()).isEqualTo(2);
            watermark(h, at(100));
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(f -> assertThat(f.principal().name()).isEqualTo("intruder"));
        }
    }

    @Test
    void aPullBehindTheWatermarkIsJudgedAtOnceWithoutATimer() throws Exception {
        try (var h = live(CONFIG)) {
            send(h, pull("app", 0));
            watermark(h, at(200));
            send(h, pull("intruder", 100));
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).isEqualTo(SETTLED_ENTRIES);
            assertThat(h.extractOutputValues()).hasSize(1);
        }
    }

    @Test
    void aPullerUnseenForLongerThanForgetAfterIsNewAgain() throws Exception {
        try (var h = live(CONFIG)) {
            long forget = Duration.ofDays(1).toMinutes();
            send(h, pull("app", 0));
            send(h, pull("web", 30));
            send(h, pull("web", 30 + forget)); // exactly forgetAfter later: still known
            send(h, pull("web", 31 + 2 * forget)); // longer: new again
            watermark(h, at(31 + 2 * forget));
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            f -> {
                                assertThat(f.principal().name()).isEqualTo("web");
                                assertThat(f.details()).containsEntry("firstSeen", false);
                                assertThat(f.description())
                                        .contains("after not pulling for longer than 1d");
                            });
        }
    }

    @Test
    void aRepositorysStateIsClearedOnceItOutlivesItsRetention() throws Exception {
        try (var h = live(CONFIG)) {
            h.setStateTtlProcessingTime(0);
            send(h, pull("app", 0));
            send(h, pull("intruder", 95));
            watermark(h, at(95));
            assertThat(h.extractOutputValues()).hasSize(1);
            assertThat(h.numKeyedStateEntries()).isEqualTo(SETTLED_ENTRIES);

            // the state's time to live (learningPeriod + forgetAfter, processing time) passes
            h.setStateTtlProcessingTime(RETENTION + 1);
            send(h, pull("other", 96));
            watermark(h, at(96));
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries())
                    .as("fresh state: a learning start, one sighting")
                    .isEqualTo(SETTLED_ENTRIES);
            // the repository learns again from the pull at 96: a new puller within the hour is
            // quiet
            send(h, pull("newcomer", 150));
            watermark(h, at(150));
            assertThat(h.extractOutputValues()).hasSize(1);
        }
    }

    @Test
    void anAllowlistedPullerIsNotReported() throws Exception {
        try (var h = live(ALLOW_INTRUDER)) {
            send(h, pull("app", 0));
            send(h, pull("intruder", 95));
            send(h, pull("stranger", 95));
            watermark(h, at(95));
            assertThat(h.numKeyedStateEntries()).isEqualTo(SETTLED_ENTRIES);
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(f -> assertThat(f.principal().name()).isEqualTo("stranger"));
        }
    }

    @Test
    void aPullerAllowlistedLiveIsNotReported() throws Exception {
        try (var h = live(CONFIG)) {
            send(h, pull("app", 0));
            h.processElement2(
                    new RulesUpdate(
                            "t",
                            "rules:\n  first-seen-puller:\n    learningPeriod: 1h\n"
                                    + "    allowlist: {principals: [\"*:role/intruder\"]}\n"),
                    at(1));
            send(h, pull("intruder", 95));
            watermark(h, at(95));
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void inPlaceUnderTheStartupRulesPullsAreJudgedAsTheyComeWithoutTimers() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new FirstSeenPuller.Static(CONFIG)),
                        EcrEvent::repositoryKey,
                        Types.STRING)) {
            h.open();
            for (EcrEvent e :
                    new EcrEvent[] {
                        pull("app", 0), pull("web", 30), pull("web", 90), pull("intruder", 95)
                    }) {
                h.processElement(new StreamRecord<>(e, e.eventTime()));
            }
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).isEqualTo(SETTLED_ENTRIES);
            h.processWatermark(new Watermark(at(95)));
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(f -> assertThat(f.principal().name()).isEqualTo("intruder"));
        }
    }
}
