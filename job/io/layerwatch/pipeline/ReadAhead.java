package io.layerwatch.pipeline;

import io.layerwatch.event.PayloadDecoder;
import java.io.IOException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The byte-level half of decoding, in a task of its own ahead of the decoder (replay): reads each file,
 * inflates gzip and drops the records the prefilter skips ({@link PayloadDecoder#reduce}), counting
 * them as read. So reading and scanning run on one thread while the decoder parses on another. Payloads
 * go on as bytes; what it cannot reduce goes on as it came, and a file it cannot read goes on as the
 * file, for the decoder to dead-letter.
 */
final class ReadAhead extends ProcessFunction<Payload, Payload> {
    private static final long serialVersionUID = 1L;

    private final S3Inputs s3;
    private final String progressId;
    private final boolean prefilter;
    private transient PayloadDecoder decoder;
    private transient RecordsRead read;

    /** @param progressId the {@link ReplayProgress} to tell about skipped records and files read, or null */
    ReadAhead(S3Inputs s3, String progressId) {
        this.s3 = s3;
        this.progressId = progressId;
        this.prefilter = DecodeFunction.prefilterOn();
    }

    @Override
    public void open(Configuration parameters) {
        decoder = new PayloadDecoder(prefilter);
        read = new RecordsRead(getRuntimeContext(), progressId);
    }

    @Override
    public void processElement(Payload payload, Context ctx, Collector<Payload> out) {
        byte[] bytes = payload.bytes();
        if (bytes == null) {
            try {
                bytes = InputFiles.read(payload.path(), s3);
            } catch (IOException | RuntimeException e) {
                out.collect(payload);
                return;
            }
            read.fileDone(bytes.length);
        }
        PayloadDecoder.Reduced reduced = decoder.reduce(bytes);
        if (reduced != null) {
            read.prefiltered(reduced.prefiltered());
            bytes = reduced.bytes();
            if (bytes.length == 0 && reduced.prefiltered() > 0) {
                return; // every record skipped
            }
        }
        out.collect(new Payload(payload.source(), bytes, null, payload.arrivalTime()));
    }

    @Override
    public void close() {
        s3.close();
    }
}
