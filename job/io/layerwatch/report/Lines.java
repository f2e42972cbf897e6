package io.layerwatch.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Streams the non-blank lines of a JSON lines file; bad UTF-8 becomes U+FFFD instead of failing.
 */
final class Lines {
    private Lines() {}

    static void forEach(Path file, Consumer<String> line) throws IOException {
        try (BufferedReader in =
                new BufferedReader(
                        new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8),
                        1 << 16)) {
            for (String l = in.readLine(); l != null; l = in.readLine()) {
                if (!l.isBlank()) {
                    line.accept(l);
                }
            }
        }
    }
}
