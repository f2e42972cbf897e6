package io.layerwatch.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the mapping reads of a JSON object (userIdentity, requestParameters and the objects in
 * them): a parsed tree ({@link #of}) or what the decoder's byte reader read straight from the
 * bytes. Never null inside the mapping: an absent member, or one that is not an object, is {@link
 * #NONE}.
 */
public interface Fields {

    /**
     * A member's text as {@link PrincipalNormalizer#text} gives it: null when absent, null, a
     * container or empty.
     */
    String text(String name);

    /** A member that is an object; {@link #NONE} otherwise. */
    Fields object(String name);

    /**
     * The objects among a member's elements (an array's, or an object's values, as a tree iterates
     * them); the other elements have no text to give.
     */
    List<Fields> objects(String name);

    /** Whether this is an object at all (not {@link #NONE}). */
    default boolean present() {
        return true;
    }

    /** An absent member, or one that is not an object: no text, no members. */
    Fields NONE =
            new Fields() {
                @Override
                public String text(String name) {
                    return null;
                }

                @Override
                public Fields object(String name) {
                    return NONE;
                }

                @Override
                public List<Fields> objects(String name) {
                    return List.of();
                }

                @Override
                public boolean present() {
                    return false;
                }
            };

    /**
     * A tree's object as fields; {@link #NONE} for null, a missing node or anything but an object.
     */
    static Fields of(JsonNode node) {
        return node == null || !node.isObject() ? NONE : new Tree(node);
    }

    /** Fields of a parsed tree. */
    record Tree(JsonNode node) implements Fields {
        @Override
        public String text(String name) {
            return PrincipalNormalizer.text(node, name);
        }

        @Override
        public Fields object(String name) {
            return of(node.get(name));
        }

        @Override
        public List<Fields> objects(String name) {
            List<Fields> out = new ArrayList<>();
            for (JsonNode element : node.path(name)) {
                if (element.isObject()) {
                    out.add(new Tree(element));
                }
            }
            return out;
        }
    }
}
