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
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The live, buffering form of unexpected-image-push's stages: state, timers and event-time order.
 */
class UnexpectedImagePushTest {

    static final RulesConfig LEARN_1H =
            RulesConfigLoader.fromYaml(
                    "rules:\n  unexpected-image-push: {learningPeriod: 1h}\n", "push.yaml");

    static long at(int minutes) {
        return TIME.plus(Duration.ofMinutes(minutes)).toEpochMilli();
    }

    static EcrEvent push(String role, int minute) {
        return record("PutImage")
                .assumedRole(ACCOUNT, role, "s")
                .time(TIME.plus(Duration.ofMinutes(minute)))
                .repositoryName("payments")
                .param("imageTag", "v" + minute)
                .event();
    }

    static Tuple2<EcrEvent, Boolean> marked(EcrEvent e) {
        return Tuple2.of(e, false);
    }

    @Test
    void pushesWaitForTheWatermarkSoTheEarliestPushStartsTheLearning() throws Exception {
        try (KeyedBroadcastOperatorTestHarness<
                        String, Tuple2<EcrEvent, Boolean>, RulesUpdate, Finding>
                h =
                        ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                                new OrderedRule<>(LEARN_1H, new UnexpectedImagePush.Pushers()),
                                UnexpectedImagePush::repositoryKey,
                                Types.STRING,
                                LiveRules.STATE)) {
            // the intruder's push arrives first, the pusher that starts the learning later
            h.processElement(marked(push("intruder", 95)), at(95));
            h.processElement(marked(push("ci", 0)), at(0));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numEventTimeTimers()).isEqualTo(2);

            h.watermark(at(100));
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(f -> assertThat(f.principal().name()).isEqualTo("intruder"));

            // disabled live: a new pusher is learned, not reported; enabled again, it is known
            h.processBroadcastElement(
                    new RulesUpdate("t", "rules:\n  unexpected-image-push: {enabled: false}\n"),
                    at(101));
            h.processElement(marked(push("third", 102)), at(102));
            h.watermark(at(103));
            h.processBroadcastElement(
                    new RulesUpdate("t", "rules:\n  unexpected-image-push: {enabled: true}\n"),
                    at(104));
            h.processElement(marked(push("third", 105)), at(105));
            h.watermark(at(106));
            assertThat(h.extractOutputValues()).hasSize(1);
        }
    }

    @Test
    void aLateLongTermKeyPushIsJudgedAtOnceAgainstTheLastToken() throws Exception {
        try (KeyedBroadcastOperatorTestHarness<
                        String, EcrEvent, RulesUpdate, Tuple2<EcrEvent, Boolean>>
                h =
                        ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                                new OrderedRule<>(
                                        RulesConfigLoader.builtIn(),
                                        new UnexpectedImagePush.Tokens()),
                                UnexpectedImagePush::tokenKey,
                                Types.STRING,
                                LiveRules.STATE)) {
            EcrEvent login =
                    record("GetAuthorizationToken").iamUser(ACCOUNT, "deployer").time(TIME).event();
            EcrEvent push =
                    record("PutImage")
                            .iamUser(ACCOUNT, "deployer")
                            .repositoryName("payments")
                            .time(TIME.plus(Duration.ofHours(11)))
                            .event();
            EcrEvent stalePush =
                    record("PutImage")
                            .iamUser(ACCOUNT, "deployer")
                            .repositoryName("payments")
                            .time(TIME.plus(Duration.ofHours(13)))
                            .event();
            h.processElement(login, login.eventTime());
            h.watermark(at(11 * 60 + 30));
            h.processElement(push, push.eventTime()); // behind the watermark: no timer
            assertThat(h.numEventTimeTimers()).isZero();
            h.processElement(stalePush, stalePush.eventTime());
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.watermark(at(14 * 60));
            assertThat(h.extractOutputValues()).extracting(p -> p.f1).containsExactly(false, true);
        }
    }
}
