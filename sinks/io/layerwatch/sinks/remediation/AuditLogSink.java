package io.layerwatch.sinks.remediation;

import java.nio.file.Paths;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * The audit log of a local streaming run: records appended to a JSON lines file (the CLI's format,
 * so {@code remediate undo --audit FILE} reads it), never truncated, one line written and closed
 * per record. Run it with parallelism 1.
 */
public final class AuditLogSink implements Sink<AuditRecord> {
    private static final long serialVersionUID = 1L;

    private final String path;

    public AuditLogSink(String path) {
        this.path = path;
    }

    @Override
    @Deprecated
    public SinkWriter<AuditRecord> createWriter(InitContext context) {
        AuditLog log = new AuditLog(Paths.get(path));
        return new SinkWriter<>() {
            @Override
            public void write(AuditRecord r, Context context) {
                log.append(r);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
