package io.layerwatch.sinks.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.testing.LogCapture;
import io.layerwatch.util.Json;
import java.util.Map;
import org.apache.flink.api.connector.sink2.Sink;
import org.junit.jupiter.api.Test;

class LogSinkTest {

    /**
     * A dead letter whose payload carries ANSI, CR/LF (a forged log line), RTL override and a C1
     * CSI.
     */
    @Test
    @SuppressWarnings("deprecation")
    void dataCannotForgeOrColourLogLines() throws Exception {
        String hostile = "x\u001B[31m\r\n2026-01-01 INFO all good\u202E\u009B2J\u200B";
        try (LogCapture logs = LogCapture.of(LogSink.class)) {
            new LogSink<Map<String, String>>("dead letter")
                    .createWriter((Sink.InitContext) null)
                    .write(Map.of("payload", hostile), null);

            assertThat(logs.messages())
                    .singleElement()
                    .satisfies(
                            m -> {
                                assertThat(m)
                                        .startsWith("dead letter: ")
                                        .doesNotContain(
                                                "\u001B", "\r", "\n", "\u202E", "\u009B", "\u200B");
                                assertThat(
                                                Json.tree(m.substring("dead letter: ".length()))
                                                        .path("payload")
                                                        .asText())
                                        .isEqualTo(hostile);
                            });
        }
    }
}
