package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.event.decode.PayloadDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileReaderTest {
    private static final long MAX = PayloadDecoder.DEFAULT_MAX_INFLATED_BYTES;

    @Test
    void theReaderReusesOneArrayForFileAfterFile(@TempDir Path dir) throws Exception {
        FileReader reader = new FileReader(FileReader.Remote.NONE);
        byte[] big = "b".repeat(200_000).getBytes(StandardCharsets.US_ASCII);
        Files.write(dir.resolve("big"), big);
        Files.write(dir.resolve("small"), "small".getBytes(StandardCharsets.US_ASCII));
        Files.write(dir.resolve("empty"), new byte[0]);

        reader.read(dir.resolve("big").toString(), MAX);
        byte[] first = reader.bytes();
        assertThat(reader.length()).isEqualTo(big.length);
        assertThat(Arrays.copyOf(first, reader.length())).isEqualTo(big);
        reader.read(dir.resolve("small").toString(), MAX);
        assertThat(reader.bytes()).as("the same array, its tail stale").isSameAs(first);
        assertThat(new String(reader.bytes(), 0, reader.length(), StandardCharsets.US_ASCII))
                .isEqualTo("small");
        reader.read(dir.resolve("empty").toString(), MAX);
        assertThat(reader.length()).isZero();

        Path huge = dir.resolve("huge");
        Files.write(huge, new byte[FileReader.REUSED_UP_TO + 1]);
        reader.read(huge.toString(), MAX);
        assertThat(reader.length()).isEqualTo(FileReader.REUSED_UP_TO + 1);
        reader.read(dir.resolve("small").toString(), MAX);
        assertThat(reader.bytes()).as("a file over the limit does not stay").isSameAs(first);
        assertThatThrownBy(() -> reader.read(dir.resolve("missing").toString(), MAX))
                .isInstanceOf(IOException.class);
    }
}
