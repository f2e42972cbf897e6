package io.layerwatch.streaming;

import io.layerwatch.config.RulesUpdate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Polls the rules URI every interval and emits changed, valid rules for the broadcast side of the
 * pipeline: one split (the rules in force), one reader at parallelism 1 ({@link
 * RulesReloadReader}), idle throughout so the rules stay out of event time. Use with {@code
 * WatermarkStrategy.noWatermarks()}.
 */
public final class RulesReloadSource
        implements Source<RulesUpdate, RulesReloadSplit, Optional<RulesReloadSplit>>,
                ResultTypeQueryable<RulesUpdate> {
    private static final long serialVersionUID = 1L;

    private final RulesReloader reloader;
    private final Duration interval;

    public RulesReloadSource(RulesReloader reloader, Duration interval) {
        this.reloader = reloader;
        this.interval = interval;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<RulesUpdate, RulesReloadSplit> createReader(SourceReaderContext context) {
        ClassLoader userCode = context.getUserCodeClassLoader().asClassLoader();
        ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "rules-reload");
                            t.setDaemon(true);
                            t.setContextClassLoader(userCode);
                            return t;
                        });
        return new RulesReloadReader(reloader, interval, context.metricGroup(), timer);
    }

    @Override
    public SplitEnumerator<RulesReloadSplit, Optional<RulesReloadSplit>> createEnumerator(
            SplitEnumeratorContext<RulesReloadSplit> context) {
        return new RulesReloadEnumerator(
                context, Optional.of(new RulesReloadSplit(reloader.inForce())));
    }

    @Override
    public SplitEnumerator<RulesReloadSplit, Optional<RulesReloadSplit>> restoreEnumerator(
            SplitEnumeratorContext<RulesReloadSplit> context, Optional<RulesReloadSplit> pending) {
        return new RulesReloadEnumerator(context, pending);
    }

    @Override
    public SimpleVersionedSerializer<RulesReloadSplit> getSplitSerializer() {
        return RulesReloadSplit.Serializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<Optional<RulesReloadSplit>>
            getEnumeratorCheckpointSerializer() {
        return RulesReloadSplit.PendingSerializer.INSTANCE;
    }

    @Override
    public TypeInformation<RulesUpdate> getProducedType() {
        return TypeInformation.of(RulesUpdate.class);
    }
}
