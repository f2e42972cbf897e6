package io.layerwatch.streaming;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * The one split of {@link RulesReloadSource}: the rules YAML in force (the startup rules or the
 * last update broadcast), so a restored reader broadcasts a file that differs from what the rule
 * operators' restored broadcast state holds, and nothing when they agree.
 */
public record RulesReloadSplit(String inForce) implements SourceSplit {
    static final String ID = "rules";

    @Override
    public String splitId() {
        return ID;
    }

    /** Version 1: the YAML's UTF-8 length and bytes. */
    static final class Serializer implements SimpleVersionedSerializer<RulesReloadSplit> {
        static final Serializer INSTANCE = new Serializer();

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(RulesReloadSplit split) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(64);
            write(split, out);
            return out.getCopyOfBuffer();
        }

        @Override
        public RulesReloadSplit deserialize(int version, byte[] bytes) throws IOException {
            return read(version, new DataInputDeserializer(bytes));
        }

        static void write(RulesReloadSplit split, DataOutputSerializer out) throws IOException {
            byte[] yaml = split.inForce().getBytes(StandardCharsets.UTF_8);
            out.writeInt(yaml.length);
            out.write(yaml);
        }

        static RulesReloadSplit read(int version, DataInputDeserializer in) throws IOException {
            if (version != 1) {
                throw new IOException("unknown rules-reload split version " + version);
            }
            byte[] yaml = new byte[in.readInt()];
            in.readFully(yaml);
            return new RulesReloadSplit(new String(yaml, StandardCharsets.UTF_8));
        }
    }

    /**
     * The enumerator's state: the split while no reader holds it. Version 1: a flag, then the
     * split.
     */
    static final class PendingSerializer
            implements SimpleVersionedSerializer<Optional<RulesReloadSplit>> {
        static final PendingSerializer INSTANCE = new PendingSerializer();

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Optional<RulesReloadSplit> pending) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(64);
            out.writeBoolean(pending.isPresent());
            if (pending.isPresent()) {
                Serializer.write(pending.get(), out);
            }
            return out.getCopyOfBuffer();
        }

        @Override
        public Optional<RulesReloadSplit> deserialize(int version, byte[] bytes)
                throws IOException {
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            if (version != 1) {
                throw new IOException("unknown rules-reload enumerator version " + version);
            }
            return in.readBoolean() ? Optional.of(Serializer.read(version, in)) : Optional.empty();
        }
    }
}
