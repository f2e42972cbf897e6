package io.layerwatch.infra;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads CloudFormation YAML into the JSON form of the template. Jackson's YAML tree reader drops
 * unknown tags ({@code A: !Ref B} reads as {@code "A": "B"}), so this reader walks the parser and
 * turns each short-form tag into its long form: {@code !Ref X} into {@code {"Ref": "X"}}, {@code
 * !GetAtt R.A} into {@code {"Fn::GetAtt": ["R", "A"]}}, {@code !Condition C} into {@code
 * {"Condition": "C"}} and any other {@code !Name v} into {@code {"Fn::Name": v}}.
 */
final class CfnYaml {
    private static final YAMLFactory FACTORY = new YAMLFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CfnYaml() {}

    static ObjectNode read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode parse(String yaml) {
        try (YAMLParser p = (YAMLParser) FACTORY.createParser(yaml)) {
            p.nextToken();
            JsonNode root = value(p);
            if (!root.isObject()) {
                throw new IllegalArgumentException(
                        "a template is a mapping, got " + root.getNodeType());
            }
            return (ObjectNode) root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode value(YAMLParser p) throws IOException {
        String tag = p.getTypeId();
        JsonToken t = p.currentToken();
        JsonNode v;
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                while (p.nextToken() != JsonToken.END_OBJECT) {
                    String name = p.currentName();
                    p.nextToken();
                    o.set(name, value(p));
                }
                v = o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(value(p));
                }
                v = a;
            }
            case VALUE_STRING -> v = NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> v = NODES.numberNode(p.getLongValue());
            case VALUE_NUMBER_FLOAT -> v = NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> v = NODES.booleanNode(true);
            case VALUE_FALSE -> v = NODES.booleanNode(false);
            case VALUE_NULL -> v = NODES.nullNode();
            default -> throw new IllegalStateException("unexpected " + t);
        }
        return tag == null || tag.contains(":")
                ? v
                : longForm(tag, v); // "tag:yaml.org,2002:..." are YAML's own
    }

    private static JsonNode longForm(String tag, JsonNode v) {
        ObjectNode fn = NODES.objectNode();
        switch (tag) {
            case "Ref", "Condition" -> fn.set(tag, v);
            case "GetAtt" -> {
                if (v.isTextual()) {
                    String[] parts = v.asText().split("\\.", 2);
                    ArrayNode a = NODES.arrayNode().add(parts[0]);
                    if (parts.length > 1) {
                        a.add(parts[1]);
                    }
                    fn.set("Fn::GetAtt", a);
                } else {
                    fn.set("Fn::GetAtt", v);
                }
            }
            default -> fn.set("Fn::" + tag, v);
        }
        return fn;
    }

    // ---- walking the template
    // ---------------------------------------------------------------------------

    /** Every node of the tree, depth first, with its path (keys and indexes joined by /). */
    static void walk(JsonNode node, String path, Visitor visitor) {
        visitor.visit(path, node);
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(f -> walk(f.getValue(), path + "/" + f.getKey(), visitor));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "/" + i, visitor);
            }
        }
    }

    interface Visitor {
        void visit(String path, JsonNode node);
    }

    /**
     * The single-key intrinsic function objects with this key (e.g. "Ref", "Fn::Sub") anywhere
     * below node.
     */
    static List<JsonNode> functions(JsonNode node, String name) {
        List<JsonNode> out = new ArrayList<>();
        walk(
                node,
                "",
                (path, n) -> {
                    if (n.isObject() && n.size() == 1 && n.has(name)) {
                        out.add(n.get(name));
                    }
                });
        return out;
    }

    /** Calls back with each name a Fn::Sub string references (${Name} or ${Resource.Attribute}). */
    static void subReferences(JsonNode node, Consumer<String> names) {
        for (JsonNode sub : functions(node, "Fn::Sub")) {
            String text = sub.isTextual() ? sub.asText() : sub.get(0).asText();
            Matcher m = Pattern.compile("\\$\\{([^!}][^}]*)}").matcher(text);
            while (m.find()) {
                String ref = m.group(1);
                if (sub.isArray() && sub.size() > 1 && sub.get(1).has(ref)) {
                    continue; // a variable of the Fn::Sub itself
                }
                names.accept(ref);
            }
        }
    }
}
