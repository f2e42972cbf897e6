package io.layerwatch.bench;

import static io.layerwatch.testing.CloudTrailRecords.record;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.pipeline.LayerWatchPipeline;
import io.layerwatch.replay.Replay;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.streaming.StreamingJob;
import io.layerwatch.streaming.StreamingOptions;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.KinesisEmulator;
import io.layerwatch.testing.LogsPayloads;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * Time to detect through Kinesis (emulator) and the streaming job under the built-in rules: records
 * put at a fixed rate; prints p50/p99 from the put of the event that completes a finding to the
 * finding at the sink (targets: p99 &lt; 1 s for single-event rules, &lt; 2 s for patterns). A
 * benchmark, not a test: it asserts nothing about time. Run (failsafe, after package): {@code mvn
 * -B verify -DskipUnitTests -Dit.test=KinesisLatencyBench -Dexcluded.groups=none} (-Dbench.rate
 * events/s, -Dbench.seconds, -Dbench.eventsPerRecord for CloudWatch Logs payloads,
 * -Dbench.findingEvery: one event in N takes part in a finding, -Dbench.pattern: single
 * (policy-deleted, each such event a finding), burst (layer-download-burst: 50 distinct layers by
 * one role, put over 10 intervals of 100 ms) or sequence (policy-change-after-scan: a vulnerable
 * scan, then a policy change of that repository put 1 s later)).
 */
@Tag("bench")
class KinesisLatencyBench {

    @RegisterExtension static final FakeAws CREDENTIALS = FakeAws.credentialsOnly();

    static final ConcurrentLinkedQueue<Long> LATENCIES = new ConcurrentLinkedQueue<>();

    @Test
    void latency() throws Exception {
        int rate = Integer.getInteger("bench.rate", 5000);
        int seconds = Integer.getInteger("bench.seconds", 20);
        int eventsPerRecord = Math.max(1, Integer.getInteger("bench.eventsPerRecord", 1));
        int findingEvery = Math.max(1, Integer.getInteger("bench.findingEvery", 1));
        Pattern pattern =
                Pattern.valueOf(System.getProperty("bench.pattern", "single").toUpperCase());
        try (KinesisEmulator kinesis = KinesisEmulator.start();
                KinesisClient client =
                        AwsClientSettings.DEFAULTS
                                .withRegion("us-east-1")
                                .withEndpoint(kinesis.endpoint())
                                .build(KinesisClient.builder())) {
            KinesisEmulator.createStream(client, "bench", 4);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(
                            2, Replay.localConfiguration());
            LayerWatchPipeline.Outputs out =
                    StreamingJob.build(
                            env,
                            new StreamingOptions(
                                    "bench",
                                    "us-east-1",
                                    kinesis.endpoint(),
                                    StreamingOptions.InitialPosition.LATEST,
                                    null,
                                    null,
                                    StreamingOptions.BUILT_IN_RULES,
                                    null,
                                    List.of(),
                                    Map.of()),
                            "",
                            RulesConfigLoader.builtIn(),
                            null,
                            false);
            out.findings()
                    .sinkTo(new LatencySink(pattern.ruleId))
                    .uid("latency")
                    .name("latency")
                    .setParallelism(1);
            JobClient job = env.executeAsync("latency-bench");
            Thread.sleep(5000); // let the consumer find the shards
            // Each Kinesis record is one CloudTrail event, or with bench.eventsPerRecord > 1 a gzip
            // CloudWatch Logs subscription payload of that many (how CloudTrail reaches Kinesis
            // through a subscription).
            int perTick = Math.max(1, rate / 10);
            int recordsPerTick = Math.max(1, perTick / eventsPerRecord);
            long sent = 0;
            long start = System.nanoTime();
            for (int tick = 0; tick < seconds * 10; tick++) {
                List<PutRecordsRequestEntry> batch = new ArrayList<>();
                long now = System.currentTimeMillis();
                for (int r = 0; r < recordsPerTick; r++) {
                    List<String> events = new ArrayList<>();
                    for (int i = 0; i < eventsPerRecord; i++) {
                        events.add(pattern.event(now, tick, r * eventsPerRecord + i, findingEvery));
                    }
                    SdkBytes data =
                            eventsPerRecord == 1
                                    ? SdkBytes.fromUtf8String(events.get(0))
                                    : SdkBytes.fromByteArray(
                                            LogsPayloads.gzip(
                                                    LogsPayloads.logsPayload(
                                                            "DATA_MESSAGE", events)));
                    batch.add(
                            PutRecordsRequestEntry.builder()
                                    .partitionKey("k" + r)
                                    .data(data)
                                    .build());
                    sent += events.size();
                    if (batch.size() == 500) {
                        client.putRecords(b -> b.streamName("bench").records(List.copyOf(batch)));
                        batch.clear();
                    }
                }
                if (!batch.isEmpty()) {
                    client.putRecords(b -> b.streamName("bench").records(batch));
                }
                long next = start + (tick + 1) * 100_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            Thread.sleep(5000);
            job.cancel().get(30, TimeUnit.SECONDS);
            List<Long> l = new ArrayList<>(LATENCIES);
            Collections.sort(l);
            double achieved = sent / ((System.nanoTime() - start) / 1e9 - 5);
            System.out.printf(
                    "%nlatency bench (%s): %d events put, %d per Kinesis record (target %d/s, achieved %.0f/s), "
                            + "%d findings%n",
                    pattern.name().toLowerCase(), sent, eventsPerRecord, rate, achieved, l.size());
            if (achieved < rate * 0.9) {
                System.out.printf(
                        "note: the producer reached only %.0f/s: the emulator's PutRecords, not the job, "
                                + "limits the rate; latencies include that backlog%n",
                        achieved);
            }
            if (!l.isEmpty()) {
                System.out.printf(
                        "time to detect: p50 %d ms, p99 %d ms, max %d ms (target p99 < %d ms)%n",
                        l.get(l.size() / 2),
                        l.get((int) (l.size() * 0.99)),
                        l.get(l.size() - 1),
                        pattern == Pattern.SINGLE ? 1000 : 2000);
            }
        }
    }

    /**
     * What the events that take part in findings are; the rest are benign reads. Event times are
     * the put times.
     */
    enum Pattern {
        SINGLE(RuleCatalog.POLICY_DELETED) {
            @Override
            String part(long now, int tick, int n, String id) {
                return record("DeleteRepositoryPolicy")
                        .repositoryName("r" + (n % 50))
                        .time(Instant.ofEpochMilli(now))
                        .eventId(id)
                        .json();
            }
        },
        BURST(RuleCatalog.LAYER_DOWNLOAD_BURST) {
            /** Each role pulls 5 distinct layers an interval, its 50th in the 10th. */
            @Override
            String part(long now, int tick, int n, String id) {
                return record("GetDownloadUrlForLayer")
                        .repositoryName("app")
                        .assumedRole("111122223333", "puller-" + (tick / 10) + "-" + (n / 5), "s")
                        .param("layerDigest", "sha256:" + (tick % 10) + "-" + (n % 5))
                        .time(Instant.ofEpochMilli(now))
                        .eventId(id)
                        .json();
            }
        },
        SEQUENCE(RuleCatalog.POLICY_CHANGE_AFTER_SCAN) {
            /**
             * A vulnerable scan of a repository in one interval, a policy change of it 10 intervals
             * later: both times have whole seconds, as EventBridge and CloudTrail write them, the
             * change's a second ahead, so it follows the scan even when a producer that fell behind
             * puts the two within one second.
             */
            @Override
            String part(long now, int tick, int n, String id) {
                Instant second = Instant.ofEpochSecond(now / 1000);
                if (tick % 20 < 10) {
                    return CloudTrailRecords.basicScan(
                            "scan" + id, second, "seq-" + tick + "-" + n, 2);
                }
                return record("SetRepositoryPolicy")
                        .repositoryName("seq-" + (tick - 10) + "-" + n)
                        .policyText("{\"Version\":\"2012-10-17\",\"Statement\":[]}")
                        .time(second.plusSeconds(1))
                        .eventId(id)
                        .json();
            }
        };

        /** The rule whose findings are timed. */
        final String ruleId;

        Pattern(String ruleId) {
            this.ruleId = ruleId;
        }

        /**
         * The {@code n}th event of an interval that takes part in a finding; {@code id} carries its
         * put time.
         */
        abstract String part(long now, int tick, int n, String id);

        /** Every findingEvery-th event takes part in a finding; its id starts "lat-PUTTIME-". */
        String event(long now, int tick, int i, int findingEvery) {
            String id = "-" + now + "-" + tick + "-" + i;
            return i % findingEvery == 0
                    ? part(now, tick, i / findingEvery, "lat" + id)
                    : record("DescribeImages")
                            .repositoryName("r" + (i % 50))
                            .time(Instant.ofEpochMilli(now))
                            .eventId("read" + id)
                            .json();
        }
    }

    /**
     * Records, for each finding of the rule the first time its id comes, now minus the newest put
     * time among its events: the put of the event that completed it.
     */
    static final class LatencySink implements Sink<Finding> {
        private final String ruleId;

        LatencySink(String ruleId) {
            this.ruleId = ruleId;
        }

        @Override
        @Deprecated
        public SinkWriter<Finding> createWriter(InitContext context) {
            return new SinkWriter<>() {
                private final Set<String> seen = new HashSet<>();

                @Override
                public void write(Finding f, Context ctx) {
                    long completed =
                            f.eventIds().stream()
                                    .filter(id -> id.startsWith("lat-"))
                                    .mapToLong(id -> Long.parseLong(id.split("-")[1]))
                                    .max()
                                    .orElse(-1);
                    if (completed >= 0 && f.ruleId().equals(ruleId) && seen.add(f.id())) {
                        LATENCIES.add(System.currentTimeMillis() - completed);
                    }
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
