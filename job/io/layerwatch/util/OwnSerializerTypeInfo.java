package io.layerwatch.util;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Type information for a class that one serializer of LayerWatch's own writes whole: an atomic type
 * to Flink (no fields, not a key). Two are equal when they are of the same class for the same type.
 */
public abstract class OwnSerializerTypeInfo<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;
    private final Class<T> type;

    protected OwnSerializerTypeInfo(Class<T> type) {
        this.type = type;
    }

    /** A new serializer of {@link #getTypeClass()}'s values. */
    protected abstract TypeSerializer<T> serializer();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializer();
    }

    @Override
    @Deprecated
    @SuppressWarnings("InlineMeSuggester") // Flink's deprecated method, overridden
    public TypeSerializer<T> createSerializer(ExecutionConfig config) {
        return serializer();
    }

    @Override
    public boolean equals(Object o) {
        return canEqual(o) && ((OwnSerializerTypeInfo<?>) o).type == type;
    }

    @Override
    public int hashCode() {
        return 31 * getClass().hashCode() + type.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o != null && o.getClass() == getClass();
    }
}
