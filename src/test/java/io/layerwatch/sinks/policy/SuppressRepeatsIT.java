package io.layerwatch.sinks.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.replay.Replay;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.MiniClusters;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SuppressRepeatsIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(1);

    static Finding download(String role, int minute, String digest) {
        Instant t = CloudTrailRecords.TIME.plus(Duration.ofMinutes(minute));
        return FindingBuilder.of(RulesConfigLoader.builtIn().rule("layer-download"))
                .event(
                        CloudTrailRecords.record("GetDownloadUrlForLayer")
                                .assumedRole(CloudTrailRecords.ACCOUNT, role, "s")
                                .repositoryName("payments")
                                .param("layerDigest", digest)
                                .time(t)
                                .event())
                .title("download " + digest)
                .build();
    }

    @Test
    void repeatsWithinTheWindowFoldIntoOneDigestWithACount() throws Exception {
        List<Finding> in =
                List.of(
                        download("dev", 0, "a"),
                        download("dev", 5, "b"),
                        download("dev", 10, "c"),
                        download("ops", 12, "d"),
                        download("dev", 90, "e"));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        env.setParallelism(1);
        List<Finding> out = new ArrayList<>();
        try (CloseableIterator<Finding> it =
                env.fromData(in)
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Finding>forMonotonousTimestamps()
                                        .withTimestampAssigner(
                                                (f, ts) -> f.lastEventTime().toEpochMilli()))
                        .keyBy(SuppressRepeats::key, Types.STRING)
                        .process(new SuppressRepeats(Duration.ofHours(1)))
                        .executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        assertThat(out)
                .extracting(Finding::title)
                .containsExactlyInAnyOrder(
                        "download a", "download d", "(2 repeats) download c", "download e");
        assertThat(out)
                .filteredOn(f -> f.title().startsWith("(2"))
                .singleElement()
                .satisfies(f -> assertThat(f.details()).containsEntry("suppressedRepeats", 2));
    }
}
