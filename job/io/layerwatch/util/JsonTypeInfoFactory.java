package io.layerwatch.util;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Flink type information for LayerWatch's low-volume JSON-shaped types (findings, dead letters):
 * serialised as their JSON text, so they never fall back to Kryo and their state stays readable and
 * evolvable. Subclass per type (Flink instantiates the factory reflectively).
 */
public abstract class JsonTypeInfoFactory<T> extends TypeInfoFactory<T> {

    private final Class<T> type;

    protected JsonTypeInfoFactory(Class<T> type) {
        this.type = type;
    }

    @Override
    public TypeInformation<T> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return new JsonTypeInformation<>(type);
    }

    /** Type information serialising values as JSON text. */
    public static final class JsonTypeInformation<T> extends OwnSerializerTypeInfo<T> {
        private static final long serialVersionUID = 1L;

        public JsonTypeInformation(Class<T> type) {
            super(type);
        }

        @Override
        protected TypeSerializer<T> serializer() {
            return new JsonSerializer<>(getTypeClass());
        }

        @Override
        public String toString() {
            return "Json<" + getTypeClass().getSimpleName() + ">";
        }
    }

    /**
     * Writes the JSON text with Flink's long-string encoding; values are immutable, so copy is
     * identity.
     */
    public static final class JsonSerializer<T> extends TypeSerializer<T> {
        private static final long serialVersionUID = 1L;
        private final Class<T> type;

        public JsonSerializer(Class<T> type) {
            this.type = type;
        }

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public TypeSerializer<T> duplicate() {
            return this;
        }

        @Override
        public T createInstance() {
            return null;
        }

        @Override
        public T copy(T from) {
            return from;
        }

        @Override
        public T copy(T from, T reuse) {
            return from;
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(T record, DataOutputView target) throws IOException {
            StringValue.writeString(Json.write(record), target);
        }

        @Override
        public T deserialize(DataInputView source) throws IOException {
            return Json.read(StringValue.readString(source), type);
        }

        @Override
        public T deserialize(T reuse, DataInputView source) throws IOException {
            return deserialize(source);
        }

        @Override
        public void copy(DataInputView source, DataOutputView target) throws IOException {
            StringValue.copyString(source, target);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof JsonSerializer && ((JsonSerializer<?>) o).type == type;
        }

        @Override
        public int hashCode() {
            return type.hashCode();
        }

        @Override
        public TypeSerializerSnapshot<T> snapshotConfiguration() {
            return new Snapshot<>(type);
        }
    }

    /**
     * Snapshot that remembers the value class; JSON tolerates added fields, so versions stay
     * compatible.
     */
    public static final class Snapshot<T> implements TypeSerializerSnapshot<T> {
        private Class<T> type;

        public Snapshot() {}

        Snapshot(Class<T> type) {
            this.type = type;
        }

        @Override
        public int getCurrentVersion() {
            return 1;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeUTF(type.getName());
        }

        @Override
        @SuppressWarnings("unchecked")
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
                throws IOException {
            try {
                type = (Class<T>) Class.forName(in.readUTF(), false, classLoader);
            } catch (ClassNotFoundException e) {
                throw new IOException(e);
            }
        }

        @Override
        public TypeSerializer<T> restoreSerializer() {
            return new JsonSerializer<>(type);
        }

        @Override
        public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
                TypeSerializerSnapshot<T> oldSnapshot) {
            return oldSnapshot instanceof Snapshot && ((Snapshot<?>) oldSnapshot).type == type
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
