package io.layerwatch.sinks.securityhub;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.util.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.services.securityhub.model.AwsSecurityFinding;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * JSON into an AWS SDK v2 model object through the model's own field metadata (the member names it
 * marshals), so the request carries exactly that JSON. Strict: an attribute the SDK does not know,
 * or a value of the wrong JSON type, is an error rather than silently dropped.
 */
public final class SdkModelConverter {

    private SdkModelConverter() {}

    /** ASFF JSON as the SDK's {@link AwsSecurityFinding}. */
    public static AwsSecurityFinding toSecurityFinding(String json) {
        JsonNode node = Json.tree(json);
        if (node == null) {
            throw new IllegalArgumentException("not JSON");
        }
        return (AwsSecurityFinding) pojo(AwsSecurityFinding.builder(), node, "");
    }

    private static Object pojo(SdkPojo builder, JsonNode node, String path) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(path + ": an object expected");
        }
        Map<String, SdkField<?>> fields = new LinkedHashMap<>();
        builder.sdkFields().forEach(f -> fields.put(f.locationName(), f));
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            SdkField<?> field = fields.get(e.getKey());
            if (field == null) {
                throw new IllegalArgumentException("unknown ASFF attribute " + path + e.getKey());
            }
            field.set(builder, value(field, e.getValue(), path + e.getKey()));
        }
        return ((SdkBuilder<?, ?>) builder).build();
    }

    private static Object value(SdkField<?> field, JsonNode v, String path) {
        if (v == null || v.isNull()) {
            return null;
        }
        switch (field.marshallingType().getKnownType()) {
            case STRING -> {
                return expect(v, v.isTextual(), path).asText();
            }
            case INTEGER -> {
                return expect(v, v.canConvertToInt(), path).intValue();
            }
            case LONG -> {
                return expect(v, v.canConvertToLong(), path).longValue();
            }
            case DOUBLE -> {
                return expect(v, v.isNumber(), path).doubleValue();
            }
            case FLOAT -> {
                return expect(v, v.isNumber(), path).floatValue();
            }
            case BOOLEAN -> {
                return expect(v, v.isBoolean(), path).booleanValue();
            }
            case SDK_POJO -> {
                return pojo(field.constructor().get(), v, path + ".");
            }
            case LIST -> {
                SdkField<?> member = field.getTrait(ListTrait.class).memberFieldInfo();
                List<Object> out = new ArrayList<>();
                for (JsonNode item : expect(v, v.isArray(), path)) {
                    out.add(value(member, item, path + "[" + out.size() + "]"));
                }
                return out;
            }
            case MAP -> {
                SdkField<?> member = field.getTrait(MapTrait.class).valueFieldInfo();
                Map<String, Object> out = new LinkedHashMap<>();
                expect(v, v.isObject(), path)
                        .fields()
                        .forEachRemaining(
                                e ->
                                        out.put(
                                                e.getKey(),
                                                value(
                                                        member,
                                                        e.getValue(),
                                                        path + "." + e.getKey())));
                return out;
            }
            default ->
                    throw new IllegalArgumentException(
                            path + ": unsupported type " + field.marshallingType());
        }
    }

    private static JsonNode expect(JsonNode v, boolean ok, String path) {
        if (!ok) {
            throw new IllegalArgumentException(path + ": unexpected " + v.getNodeType());
        }
        return v;
    }
}
