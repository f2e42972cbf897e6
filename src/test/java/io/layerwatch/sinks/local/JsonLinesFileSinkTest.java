package io.layerwatch.sinks.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesFileSinkTest {

    record Item(String id, String ruleId, int version) {}

    @Test
    @SuppressWarnings("deprecation")
    void foldingWritesFinalValuesAtOnceAndOnlyTheLaterVersionOfThoseThatMayChange(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("findings.jsonl");
        JsonLinesFileSink<Item> sink =
                JsonLinesFileSink.foldingBy(
                        file,
                        Item::id,
                        i -> RuleCatalog.updatesFindings(i.ruleId()),
                        (held, next) -> next.version() >= held.version() ? next : held);
        try (SinkWriter<Item> w = sink.createWriter((Sink.InitContext) null)) {
            w.write(new Item("burst-1", RuleCatalog.LAYER_DOWNLOAD_BURST, 1), null);
            w.write(new Item("dl-1", RuleCatalog.LAYER_DOWNLOAD, 1), null);
            w.write(new Item("burst-1", RuleCatalog.LAYER_DOWNLOAD_BURST, 3), null);
            w.write(
                    new Item("burst-1", RuleCatalog.LAYER_DOWNLOAD_BURST, 2),
                    null); // arrives after a later one
            w.write(new Item("dl-1", RuleCatalog.LAYER_DOWNLOAD, 2), null); // the same record twice
            w.write(new Item("dl-2", RuleCatalog.LAYER_DOWNLOAD, 1), null);
            w.flush(false);
            // final values are out before the end; the episode waits for its last version
            assertThat(lines(file)).extracting(Item::id).containsExactly("dl-1", "dl-2");
            w.flush(true);
        }
        assertThat(lines(file))
                .containsExactly(
                        new Item("dl-1", RuleCatalog.LAYER_DOWNLOAD, 1),
                        new Item("dl-2", RuleCatalog.LAYER_DOWNLOAD, 1),
                        new Item("burst-1", RuleCatalog.LAYER_DOWNLOAD_BURST, 3));
    }

    private static List<Item> lines(Path file) throws Exception {
        return Files.readAllLines(file).stream().map(l -> Json.read(l, Item.class)).toList();
    }
}
