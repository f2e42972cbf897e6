package io.layerwatch.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.event.decode.PayloadDecoderTest.Samples;
import io.layerwatch.testing.CollectingOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class EcrEventSerializerTest {

    private static final String LONG = "x".repeat(70_000) + "\u00e9\uD83D\uDE80";

    static List<EcrEvent> events() {
        List<EcrEvent> events = new ArrayList<>();
        for (String resource : Samples.ALL) {
            events.addAll(CollectingOutput.decode(Samples.bytes(resource), false).events());
        }
        EcrEvent any = events.get(0);
        // nulls everywhere they may be, non-ASCII text, strings and raw JSON beyond one varint byte
        events.add(
                new EcrEvent(
                        null,
                        -1L,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        Integer.MIN_VALUE,
                        Integer.MAX_VALUE,
                        null,
                        null));
        events.add(
                new EcrEvent(
                        "",
                        Long.MAX_VALUE,
                        EventKind.OTHER,
                        "",
                        "caf\u00e9",
                        "M\u00fcnchen",
                        "123",
                        new Principal("arn", null, "\uD83D\uDE80", null, null, "", null),
                        "::1",
                        LONG,
                        null,
                        "Err",
                        "1",
                        "r/x",
                        "sha256:1",
                        null,
                        "a,b",
                        "COMPLETE",
                        3,
                        4,
                        LONG,
                        RawJson.of(LONG.getBytes(StandardCharsets.UTF_8))));
        events.add(any);
        return events;
    }

    @Test
    void flinkUsesItForEcrEventEverywhere() {
        TypeInformation<EcrEvent> info = TypeInformation.of(EcrEvent.class);
        assertThat(info).isInstanceOf(EcrEventSerializer.Info.class);
        assertThat(info.createSerializer(new SerializerConfigImpl()))
                .isInstanceOf(EcrEventSerializer.class);
    }

    @Test
    void everyEventRoundTripsOneAfterAnotherInOneStream() throws IOException {
        List<EcrEvent> events = events();
        TypeSerializer<EcrEvent> serializer = new EcrEventSerializer();
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (EcrEvent e : events) {
            serializer.serialize(e, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        TypeSerializer<EcrEvent> reader = serializer.duplicate();
        assertThat(reader).isNotSameAs(serializer).isEqualTo(serializer);
        for (EcrEvent e : events) {
            assertThat(reader.deserialize(in)).isEqualTo(e);
        }
        assertThat(in.available()).isZero();
    }

    @Test
    void copyingSerializedBytesGivesTheSameBytes() throws IOException {
        TypeSerializer<EcrEvent> serializer = new EcrEventSerializer();
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (EcrEvent e : events()) {
            serializer.serialize(e, out);
        }
        byte[] original = out.getCopyOfBuffer();
        DataOutputSerializer copied = new DataOutputSerializer(64);
        DataInputDeserializer in = new DataInputDeserializer(original);
        while (in.available() > 0) {
            serializer.copy(in, copied);
        }
        assertThat(copied.getCopyOfBuffer()).isEqualTo(original);
    }

    @Test
    void truncatedInputFailsInsteadOfInventingAnEvent() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        new EcrEventSerializer().serialize(events().get(0), out);
        byte[] bytes = out.getCopyOfBuffer();
        DataInputDeserializer in = new DataInputDeserializer(bytes, 0, bytes.length / 2);
        assertThatThrownBy(() -> new EcrEventSerializer().deserialize(in))
                .isInstanceOf(IOException.class);
    }

    @Test
    void snapshotRestoresACompatibleSerializer() throws IOException {
        TypeSerializerSnapshot<EcrEvent> snapshot =
                new EcrEventSerializer().snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        TypeSerializerSnapshot<EcrEvent> read =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(out.getCopyOfBuffer()),
                        getClass().getClassLoader());
        assertThat(read.restoreSerializer()).isInstanceOf(EcrEventSerializer.class);
        TypeSerializerSchemaCompatibility<EcrEvent> compatibility =
                new EcrEventSerializer().snapshotConfiguration().resolveSchemaCompatibility(read);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }
}
