package io.layerwatch.sinks.local;

import io.layerwatch.util.SafeText;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each value as one WARN line of JSON (dead letters on MSF reach CloudWatch Logs this way),
 * with no raw control or bidi character from the data in it.
 */
public final class LogSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LogSink.class);
    private final String what;

    public LogSink(String what) {
        this.what = what;
    }

    @Override
    @Deprecated
    public SinkWriter<T> createWriter(InitContext context) {
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                LOG.warn("{}: {}", what, SafeText.json(element));
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
