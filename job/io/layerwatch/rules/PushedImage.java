package io.layerwatch.rules;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.util.Json;

/**
 * The image of a PutImage record: the tag it names (requestParameters.imageTag, absent for a push
 * by digest) and the digest ECR stored (responseElements.image.imageId.imageDigest, absent when the
 * call failed; else requestParameters.imageDigest). Read from the raw record, token by token.
 */
record PushedImage(String tag, String digest) {

    static PushedImage of(EcrEvent e) {
        String digest =
                Json.text(
                        e.rawJson().toBytes(),
                        "responseElements",
                        "image",
                        "imageId",
                        "imageDigest");
        return new PushedImage(
                e.imageTags(), digest != null && !digest.isEmpty() ? digest : e.imageDigest());
    }

    /** "image TAG (DIGEST)", "image DIGEST" or "an image". */
    String describe() {
        if (tag == null) {
            return digest == null ? "an image" : "image " + digest;
        }
        return "image " + tag + (digest == null ? "" : " (" + digest + ")");
    }
}
