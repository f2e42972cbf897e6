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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * Writes values as JSON lines to one local file (run it with parallelism 1). In fold mode each id
 * is written once: values that may still change (updates of one finding) keep only their latest
 * version (as {@link Later} picks it, so the order versions arrive in does not matter), written
 * when the input ends, in order of first appearance; the others are written at once (a repeat of
 * their id is dropped), so memory holds the ids written and the values that may change, not every
 * value: the shape a bounded replay wants. Otherwise lines are appended as they come.
 */
public final class JsonLinesFileSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    /** Extracts the id that folds updates; must be serialisable. */
    public interface IdFunction<T> extends Function<T, String>, Serializable {}

    /**
     * True for a value that may later come again, changed, under the same id; must be serialisable.
     */
    public interface MayChange<T> extends Predicate<T>, Serializable {}

    /** Of the version held and the next one, the one to keep; must be serialisable. */
    public interface Later<T> extends BinaryOperator<T>, Serializable {}

    private final String path;
    private final IdFunction<T> foldBy;
    private final MayChange<T> mayChange;
    private final Later<T> later;

    private JsonLinesFileSink(
            String path, IdFunction<T> foldBy, MayChange<T> mayChange, Later<T> later) {
        this.path = path;
        this.foldBy = foldBy;
        this.mayChange = mayChange;
        this.later = later;
    }

    public static <T> JsonLinesFileSink<T> appending(Path file) {
        return new JsonLinesFileSink<>(file.toString(), null, null, null);
    }

    public static <T> JsonLinesFileSink<T> foldingBy(
            Path file, IdFunction<T> id, MayChange<T> mayChange, Later<T> later) {
        return new JsonLinesFileSink<>(file.toString(), id, mayChange, later);
    }

    @Override
    @Deprecated
    public SinkWriter<T> createWriter(InitContext context) throws IOException {
        Path file = Paths.get(path);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        BufferedWriter writer =
                Files.newBufferedWriter(
                        file,
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE);
        return new Writer<>(writer, foldBy, mayChange, later);
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final BufferedWriter out;
        private final IdFunction<T> foldBy;
        private final MayChange<T> mayChange;
        private final Later<T> later;
        private final Map<String, T> latest = new LinkedHashMap<>();
        private final Set<String> written = new HashSet<>();

        Writer(BufferedWriter out, IdFunction<T> foldBy, MayChange<T> mayChange, Later<T> later) {
            this.out = out;
            this.foldBy = foldBy;
            this.mayChange = mayChange;
            this.later = later;
        }

        @Override
        public void write(T element, Context context) throws IOException {
            if (foldBy == null) {
                line(element);
            } else if (mayChange.test(element)) {
                latest.merge(foldBy.apply(element), element, later);
            } else if (written.add(foldBy.apply(element))) {
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
