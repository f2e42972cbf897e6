package io.layerwatch.sinks.local;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * Writes each value as one line of text, formatted by a function, to a local file (created or
 * truncated when the writer opens) or to standard output. Run it with parallelism 1: there is one
 * file and stdout lines carry no subtask prefix.
 */
public final class LinesSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    /** Formats a value as one line (without the newline); must be serialisable. */
    public interface Formatter<T> extends Function<T, String>, Serializable {}

    /** Null for standard output. */
    private final String path;

    private final Formatter<T> format;

    private LinesSink(String path, Formatter<T> format) {
        this.path = path;
        this.format = format;
    }

    public static <T> LinesSink<T> file(Path file, Formatter<T> format) {
        return new LinesSink<>(file.toString(), format);
    }

    public static <T> LinesSink<T> stdout(Formatter<T> format) {
        return new LinesSink<>(null, format);
    }

    /** The file written, or null for standard output. */
    public String path() {
        return path;
    }

    @Override
    @Deprecated
    public SinkWriter<T> createWriter(InitContext context) throws IOException {
        if (path == null) {
            return new Writer<>(null, format);
        }
        Path file = Paths.get(path);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        return new Writer<>(
                Files.newBufferedWriter(
                        file,
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE),
                format);
    }

    private static final class Writer<T> implements SinkWriter<T> {
        /** Null: standard output, looked up per line (tests may redirect it). */
        private final BufferedWriter out;

        private final Formatter<T> format;

        Writer(BufferedWriter out, Formatter<T> format) {
            this.out = out;
            this.format = format;
        }

        @Override
        public void write(T element, Context context) throws IOException {
            String line = format.apply(element);
            if (out == null) {
                System.out.print(line + "\n");
                System.out.flush();
            } else {
                out.write(line);
                out.write('\n');
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            if (out != null) {
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (out != null) {
                out.close();
            }
        }
    }
}
