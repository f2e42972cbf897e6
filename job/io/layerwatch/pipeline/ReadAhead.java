package io.layerwatch.pipeline;

import io.layerwatch.config.CloudWatchLogsSenders;
import io.layerwatch.event.PayloadDecoder;
import java.io.IOException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The byte-level half of decoding, in a task of its own ahead of the decoder (replay): reads each file,
 * inflates gzip and drops the records the prefilter skips ({@link PayloadDecoder#reduce}), counting
 * them as read. So reading and scanning run on one thread while the decoder parses on another. Payloads
 * go on as bytes; a local file it leaves as it is (or inflates to over {@value #LOCAL_REREAD_OVER} bytes
 * with nothing to skip) goes on as the file, for the decoder to read again from the page cache, and a
 * file it cannot read goes on as the file, for the decoder to dead-letter.
 */
final class ReadAhead extends ProcessFunction<Payload, Payload> {
    private static final long serialVersionUID = 1L;

    private final S3Inputs s3;
    private final String progressId;
    private final boolean prefilter;
    private final long maxInflatedBytes;
    private transient PayloadDecoder decoder;
    private transient RecordsRead read;

    /** Flink spills a network record over 5 MiB to disk on the receiving side. */
    static final int LOCAL_REREAD_OVER = 4 << 20;

    /**
     * @param progressId the {@link ReplayProgress} to tell about skipped records and files read, or null
     * @param maxInflatedBytes input.maxInflatedBytes: a file larger, or inflating larger, goes on as the file
     *     (unread), for the decoder to dead-letter
     */
    ReadAhead(S3Inputs s3, String progressId, long maxInflatedBytes) {
        this.maxInflatedBytes = maxInflatedBytes;
        this.s3 = s3;
        this.progressId = progressId;
        this.prefilter = DecodeFunction.prefilterOn();
    }

    @Override
    public void open(Configuration parameters) {
        decoder = new PayloadDecoder(prefilter, CloudWatchLogsSenders.ANY, maxInflatedBytes);
        read = new RecordsRead(getRuntimeContext(), progressId);
    }

    @Override
    public void processElement(Payload payload, Context ctx, Collector<Payload> out) {
        byte[] bytes = payload.bytes();
        boolean file = bytes == null;
        if (file) {
            try {
                bytes = InputFiles.read(payload.path(), s3, maxInflatedBytes);
            } catch (IOException | RuntimeException e) {
                out.collect(payload);
                return;
            }
        }
        PayloadDecoder.Reduced reduced = decoder.reduce(bytes);
        int prefiltered = reduced == null ? 0 : reduced.prefiltered();
        byte[] left = reduced == null ? bytes : reduced.bytes();
        if (file && !S3Inputs.isS3(payload.path())
                && (reduced == null || prefiltered == 0 && left.length > LOCAL_REREAD_OVER)) {
            // A local file left as it is (not gzip, nothing to skip: a log file of ECR calls), or big with
            // nothing to skip: the decoder reads it again (page cache) rather than get it as one network
            // record (copied twice on the way, spilled to a temporary file over 5 MiB).
            out.collect(payload);
            return;
        }
        if (file) {
            read.fileDone(bytes.length);
        }
        read.prefiltered(prefiltered);
        if (left.length == 0 && prefiltered > 0) {
            return; // every record skipped
        }
        out.collect(new Payload(payload.source(), left, null, payload.arrivalTime()));
    }

    @Override
    public void close() {
        s3.close();
    }
}
