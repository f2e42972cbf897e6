package io.layerwatch.sinks.local;

import io.layerwatch.util.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * Writes values as JSON lines to one local file (run it with parallelism 1). In fold mode, values
 * with the same id (updates of one finding) keep only their latest version, written in order of
 * first appearance when the input ends: the shape a bounded replay wants. Otherwise lines are
 * appended as they come.
 */
public final class JsonLinesFileSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    /** Extracts the id that folds updates; must be serialisable. */
    public interface IdFunction<T> extends Function<T, String>, Serializable {}

    private final String path;
    private final IdFunction<T> foldBy;

    private JsonLinesFileSink(String path, IdFunction<T> foldBy) {
        this.path = path;
        this.foldBy = foldBy;
    }

    public static <T> JsonLinesFileSink<T> appending(Path file) {
        return new JsonLinesFileSink<>(file.toString(), null);
    }

    public static <T> JsonLinesFileSink<T> foldingBy(Path file, IdFunction<T> id) {
        return new JsonLinesFileSink<>(file.toString(), id);
    }

    @Override
    @Deprecated
    public SinkWriter<T> createWriter(InitContext context) throws IOException {
        Path file = Paths.get(path);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        return new Writer<>(writer, foldBy);
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final BufferedWriter out;
        private final IdFunction<T> foldBy;
        private final Map<String, T> latest = new LinkedHashMap<>();

        Writer(BufferedWriter out, IdFunction<T> foldBy) {
            this.out = out;
            this.foldBy = foldBy;
        }

        @Override
        public void write(T element, Context context) throws IOException {
            if (foldBy != null) {
                latest.put(foldBy.apply(element), element);
            } else {
                line(element);
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            if (endOfInput && foldBy != null) {
                for (T value : latest.values()) {
                    line(value);
                }
                latest.clear();
            }
            out.flush();
        }

        private void line(T value) throws IOException {
            out.write(Json.write(value));
            out.write('\n');
            if (foldBy == null) {
                out.flush(); // appended lines are visible at once, even if the job is cancelled
            }
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
