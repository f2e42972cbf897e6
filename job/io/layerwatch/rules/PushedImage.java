package io.layerwatch.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.util.Json;

/**
 * The image of a PutImage record: the tag it names (requestParameters.imageTag, absent for a push by
 * digest) and the digest ECR stored (responseElements.image.imageId.imageDigest, absent when the call
 * failed; else requestParameters.imageDigest). Read from the raw record: pushes are rare next to pulls.
 */
record PushedImage(String tag, String digest) {

    static PushedImage of(EcrEvent e) {
        String digest = null;
        JsonNode raw = e.rawJson() == null ? null : Json.tree(e.raw());
        if (raw != null) {
            JsonNode d = raw.path("responseElements").path("image").path("imageId").path("imageDigest");
            digest = d.isTextual() && !d.asText().isEmpty() ? d.asText() : null;
        }
        return new PushedImage(e.imageTags(), digest != null ? digest : e.imageDigest());
    }

    /** "image TAG (DIGEST)", "image DIGEST" or "an image". */
    String describe() {
        if (tag == null) {
            return digest == null ? "an image" : "image " + digest;
        }
        return "image " + tag + (digest == null ? "" : " (" + digest + ")");
    }
}
