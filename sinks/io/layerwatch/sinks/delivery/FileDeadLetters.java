package io.layerwatch.sinks.delivery;

import io.layerwatch.util.Json;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * Dead letters appended as JSON lines to a local file (flushed per line: they are rare and
 * precious).
 */
public record FileDeadLetters(String path) implements DeadLetterDestination {

    @Override
    public Writer open() throws Exception {
        Path file = Paths.get(path);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        BufferedWriter out =
                Files.newBufferedWriter(
                        file,
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND,
                        StandardOpenOption.WRITE);
        return new Writer() {
            @Override
            public synchronized void write(SinkDeadLetter deadLetter) throws Exception {
                out.write(Json.write(deadLetter));
                out.write('\n');
                out.flush();
            }

            @Override
            public synchronized void close() throws Exception {
                out.close();
            }
        };
    }
}
