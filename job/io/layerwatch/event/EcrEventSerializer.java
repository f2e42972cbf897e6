package io.layerwatch.event;

import io.layerwatch.util.OwnSerializerTypeInfo;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for {@link EcrEvent}, the type every operator edge and pattern buffer carries:
 * fields in declaration order, strings as UTF-8 with a varint length (0 for null), the raw JSON as
 * one block. Several times faster than the reflective POJO serializer, whose strings go character
 * by character, and it allocates no char[] per string.
 */
public final class EcrEventSerializer extends TypeSerializer<EcrEvent> {
    private static final long serialVersionUID = 1L;
    private static final EventKind[] KINDS = EventKind.values();

    /**
     * Read buffer (a serializer instance is used by one thread; {@link #duplicate} gives each its
     * own).
     */
    private transient byte[] buffer;

    @Override
    @SuppressWarnings("EnumOrdinal") // the wire format: kinds are only appended
    public void serialize(EcrEvent e, DataOutputView out) throws IOException {
        writeString(out, e.eventId());
        out.writeLong(e.eventTime());
        out.writeByte(e.kind() == null ? 0 : e.kind().ordinal() + 1);
        writeString(out, e.eventSource());
        writeString(out, e.eventName());
        writeString(out, e.region());
        writeString(out, e.accountId());
        Principal p = e.principal();
        out.writeBoolean(p != null);
        if (p != null) {
            writePrincipal(out, p);
        }
        writeString(out, e.sourceIp());
        writeString(out, e.userAgent());
        writeString(out, e.vpcEndpointId());
        writeString(out, e.errorCode());
        writeString(out, e.registryId());
        writeString(out, e.repositoryName());
        writeString(out, e.layerDigest());
        writeString(out, e.imageDigest());
        writeString(out, e.imageTags());
        writeString(out, e.scanStatus());
        out.writeInt(e.criticalCount());
        out.writeInt(e.highCount());
        writeString(out, e.policyText());
        writeBytes(out, e.rawJson());
    }

    @Override
    public EcrEvent deserialize(DataInputView in) throws IOException {
        String eventId = readString(in);
        long eventTime = in.readLong();
        int k = in.readUnsignedByte();
        EventKind kind = k == 0 ? null : KINDS[k - 1];
        String eventSource = readString(in);
        String eventName = readString(in);
        String region = readString(in);
        String accountId = readString(in);
        Principal principal =
                in.readBoolean()
                        ? new Principal(
                                readString(in),
                                readString(in),
                                readString(in),
                                readString(in),
                                readString(in),
                                readString(in),
                                readString(in))
                        : null;
        return new EcrEvent(
                eventId,
                eventTime,
                kind,
                eventSource,
                eventName,
                region,
                accountId,
                principal,
                readString(in),
                readString(in),
                readString(in),
                readString(in),
                readString(in),
                readString(in),
                readString(in),
                readString(in),
                readString(in),
                readString(in),
                in.readInt(),
                in.readInt(),
                readString(in),
                readBytes(in));
    }

    private static void writePrincipal(DataOutputView out, Principal p) throws IOException {
        writeString(out, p.arn());
        writeString(out, p.type());
        writeString(out, p.name());
        writeString(out, p.accountId());
        writeString(out, p.accessKeyId());
        writeString(out, p.sessionName());
        writeString(out, p.sessionArn());
    }

    private static void writeString(DataOutputView out, String s) throws IOException {
        if (s == null) {
            writeLength(out, 0);
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeLength(out, utf8.length + 1);
        out.write(utf8);
    }

    private String readString(DataInputView in) throws IOException {
        int n = readLength(in) - 1;
        if (n < 0) {
            return null;
        }
        if (buffer == null || buffer.length < n) {
            buffer = new byte[Math.max(n, 256)];
        }
        in.readFully(buffer, 0, n);
        return new String(buffer, 0, n, StandardCharsets.UTF_8);
    }

    private static void writeBytes(DataOutputView out, RawJson b) throws IOException {
        writeLength(out, b == null ? 0 : b.length() + 1);
        if (b != null) {
            b.writeTo(out);
        }
    }

    private static RawJson readBytes(DataInputView in) throws IOException {
        int n = readLength(in) - 1;
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return RawJson.of(b);
    }

    /** Unsigned LEB128 varint: one byte below 128. */
    private static void writeLength(DataOutputView out, int n) throws IOException {
        while ((n & ~0x7F) != 0) {
            out.writeByte((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        out.writeByte(n);
    }

    private static int readLength(DataInputView in) throws IOException {
        int n = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.readUnsignedByte();
            n |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return n;
            }
        }
        throw new IOException("corrupt length in a serialized EcrEvent");
    }

    @Override
    public EcrEvent deserialize(EcrEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public TypeSerializer<EcrEvent> duplicate() {
        return new EcrEventSerializer();
    }

    @Override
    public EcrEvent createInstance() {
        return null;
    }

    @Override
    public EcrEvent copy(EcrEvent from) {
        return from;
    }

    @Override
    public EcrEvent copy(EcrEvent from, EcrEvent reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EcrEventSerializer;
    }

    @Override
    public int hashCode() {
        return EcrEventSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<EcrEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1: the field order above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EcrEvent> {
        public Snapshot() {
            super(EcrEventSerializer::new);
        }
    }

    /** Named by {@code @TypeInfo} on {@link EcrEvent}: Flink instantiates it reflectively. */
    public static final class Factory extends TypeInfoFactory<EcrEvent> {
        @Override
        public TypeInformation<EcrEvent> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new Info();
        }
    }

    /** Type information with this serializer. */
    public static final class Info extends OwnSerializerTypeInfo<EcrEvent> {
        private static final long serialVersionUID = 1L;

        public Info() {
            super(EcrEvent.class);
        }

        @Override
        protected TypeSerializer<EcrEvent> serializer() {
            return new EcrEventSerializer();
        }

        @Override
        public String toString() {
            return "EcrEvent";
        }
    }
}
