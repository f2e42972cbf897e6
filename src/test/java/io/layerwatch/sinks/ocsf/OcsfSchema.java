package io.layerwatch.sinks.ocsf;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks OCSF events against the 1.3.0 extract in src/test/resources/ocsf (classes 2004, 2005 and
 * 7001 and the objects LayerWatch writes): every attribute defined for its class or object, profile
 * attributes only with their profile in metadata.profiles, _id values in their enum, required
 * attributes and at_least_one constraints met. Attributes of type object (unmapped) and json
 * (evidence data) are free-form.
 */
final class OcsfSchema {

    static final String RESOURCE = "ocsf/ocsf-1.3.0-extract.json";
    static final OcsfSchema V1_3_0 = new OcsfSchema(load());

    private final JsonNode schema;

    private OcsfSchema(JsonNode schema) {
        this.schema = schema;
    }

    private static JsonNode load() {
        try (InputStream in = OcsfSchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            return Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What in the event breaks the schema; empty when it conforms. */
    List<String> problems(JsonNode event) {
        List<String> problems = new ArrayList<>();
        JsonNode cls = schema.path("classes").path(event.path("class_uid").asText());
        if (cls.isMissingNode()) {
            problems.add("class_uid " + event.path("class_uid") + " is not in the extract");
            return problems;
        }
        Set<String> profiles = new HashSet<>();
        event.path("metadata").path("profiles").forEach(p -> profiles.add(p.asText()));
        check(cls.path("name").asText(), cls, event, profiles, problems);
        return problems;
    }

    private void check(
            String path,
            JsonNode type,
            JsonNode node,
            Set<String> profiles,
            List<String> problems) {
        JsonNode attributes = type.path("attributes");
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = path + "." + field.getKey();
            JsonNode a = attributes.path(field.getKey());
            if (a.isMissingNode()) {
                problems.add(name + " is not an attribute of " + path);
                continue;
            }
            if (a.has("profile") && !profiles.contains(a.path("profile").asText())) {
                problems.add(
                        name
                                + " needs profile "
                                + a.path("profile").asText()
                                + " in metadata.profiles");
            }
            if (a.has("enum") && !contains(a.path("enum"), field.getValue())) {
                problems.add(
                        name + " = " + field.getValue() + " is not in its enum " + a.path("enum"));
            }
            String object = a.path("object").asText(null);
            if (object == null || "object".equals(object)) {
                continue;
            }
            JsonNode objectType = schema.path("objects").path(object);
            if (objectType.isMissingNode()) {
                problems.add(name + " is a " + object + ", not in the extract");
                continue;
            }
            for (JsonNode value :
                    field.getValue().isArray() ? field.getValue() : List.of(field.getValue())) {
                check(name, objectType, value, profiles, problems);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = attributes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> a = it.next();
            boolean applies =
                    !a.getValue().has("profile")
                            || profiles.contains(a.getValue().path("profile").asText());
            if (applies
                    && "required".equals(a.getValue().path("requirement").asText())
                    && !node.has(a.getKey())) {
                problems.add(path + "." + a.getKey() + " is required");
            }
        }
        JsonNode atLeastOne = type.path("constraints").path("at_least_one");
        if (!atLeastOne.isMissingNode() && !anyPresent(atLeastOne, node)) {
            problems.add(path + " needs one of " + atLeastOne);
        }
    }

    private static boolean contains(JsonNode values, JsonNode value) {
        for (JsonNode v : values) {
            if (v.asLong() == value.asLong() && value.isIntegralNumber()) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyPresent(JsonNode names, JsonNode node) {
        for (JsonNode n : names) {
            if (node.has(n.asText())) {
                return true;
            }
        }
        return false;
    }
}
