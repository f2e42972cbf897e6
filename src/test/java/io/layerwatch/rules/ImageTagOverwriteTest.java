package io.layerwatch.rules;

import static io.layerwatch.testing.CloudTrailRecords.TIME;
import static io.layerwatch.testing.CloudTrailRecords.object;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.LiveRules;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The live, buffering form of image-tag-overwrite: the tag's last digest is judged in event-time
 * order.
 */
class ImageTagOverwriteTest {

    static EcrEvent push(int minute, String digest) {
        return record("PutImage")
                .time(TIME.plus(Duration.ofMinutes(minute)))
                .repositoryName("payments")
                .param("imageTag", "v2.0.0")
                .responseElements(
                        object(
                                "image",
                                object(
                                        "imageId",
                                        object("imageTag", "v2.0.0", "imageDigest", digest))))
                .event();
    }

    @Test
    void pushesArrivingOutOfOrderAreComparedInEventTimeOrder() throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, EcrEvent, RulesUpdate, Finding> h =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new OrderedRule<>(RulesConfigLoader.builtIn(), new ImageTagOverwrite()),
                        EcrEvent::repositoryKey,
                        Types.STRING,
                        LiveRules.STATE)) {
            EcrEvent moved = push(10, "sha256:new");
            EcrEvent original = push(0, "sha256:old");
            h.processElement(moved, moved.eventTime());
            h.processElement(original, original.eventTime());
            assertThat(h.numEventTimeTimers()).isEqualTo(2);
            assertThat(h.extractOutputValues()).isEmpty();
            h.watermark(moved.eventTime());
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            f -> {
                                assertThat(f.details())
                                        .containsEntry("previousDigest", "sha256:old")
                                        .containsEntry("imageDigest", "sha256:new");
                                assertThat(f.description()).contains("pointed to sha256:old");
                            });
            // a late push back to the old image is judged at once against what the tag points to
            // now
            EcrEvent back = push(5, "sha256:old");
            h.processElement(back, back.eventTime());
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.extractOutputValues())
                    .hasSize(2)
                    .last()
                    .satisfies(
                            f ->
                                    assertThat(f.details())
                                            .containsEntry("previousDigest", "sha256:new"));
        }
    }
}
