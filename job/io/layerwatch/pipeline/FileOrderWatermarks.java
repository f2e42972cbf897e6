package io.layerwatch.pipeline;

import java.time.Duration;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Event time from the file order of a replay. Runs once (parallelism 1) on the file list, sorted by
 * CloudTrail delivery stamp, and sends before each stamped file the watermark "stamp minus the
 * bound": a file holds records from at most the bound before its delivery, and every later file has
 * a later stamp, so nothing still to come is older.
 *
 * <p>Why this keeps parallel decoding exact: a watermark travels behind the files sent before it on
 * every channel of the rebalance, so a decoder passes it on only after decoding its share of the
 * earlier files, and the operators after the decoders take the minimum over all of them. A decoder
 * busy with a big or slow file holds event time back; it never lets it overtake its records.
 */
public final class FileOrderWatermarks extends AdvancingWatermarks<Payload> {
    private static final long serialVersionUID = 1L;

    public FileOrderWatermarks(Duration bound) {
        super(bound);
    }

    @Override
    public void processElement(StreamRecord<Payload> record) {
        long stamp = record.getValue().arrivalTime();
        if (stamp != Long.MIN_VALUE) {
            advance(stamp - boundMillis - 1);
        }
        output.collect(record);
    }
}
