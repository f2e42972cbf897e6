package io.layerwatch.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTextTest {

    private static String text(String json, String... path) {
        return Json.text(json == null ? null : json.getBytes(StandardCharsets.UTF_8), path);
    }

    @Test
    void findsTheStringAtAPathPassingOverEverythingElse() {
        String record =
                "{\"requestParameters\":{\"image\":{\"imageId\":{\"imageDigest\":\"sha256:req\"}}},"
                        + "\"list\":[{\"imageDigest\":\"x\"},[1,2]],\"responseElements\":{\"other\":{\"a\":[]},"
                        + "\"image\":{\"imageManifest\":\"{\\\"x\\\":1}\",\"imageId\":{\"imageTag\":\"v1\",\"imageDigest\":\"sha256:\\u0061b\"}}}}";

        assertThat(text(record, "responseElements", "image", "imageId", "imageDigest"))
                .isEqualTo("sha256:ab");
        assertThat(text(record, "requestParameters", "image", "imageId", "imageDigest"))
                .isEqualTo("sha256:req");
        assertThat(text(record, "responseElements", "image", "imageManifest"))
                .isEqualTo("{\"x\":1}");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"responseElements\":null}",
                "{\"responseElements\":{\"image\":{\"imageId\":{\"imageDigest\":7}}}}",
                "{\"responseElements\":{\"image\":[{\"imageId\":{\"imageDigest\":\"d\"}}]}}",
                "{\"responseElements\":{\"image\":{\"imageId\":{\"imageDigest\":{\"v\":\"d\"}}}}}",
                "{\"responseElements\":{\"image\":{}}, \"imageDigest\":\"d\"}",
                "[{\"responseElements\":{\"image\":{\"imageId\":{\"imageDigest\":\"d\"}}}}]",
                "{\"responseElements\":{\"image\":{\"imageId\":{\"imageDigest\":\"d",
                "{\"responseElements\" oops",
                "not json",
                ""
            })
    void nullWhenAbsentNotAStringOrNotJson(String json) {
        assertThat(text(json, "responseElements", "image", "imageId", "imageDigest")).isNull();
    }

    @Test
    void nullForNoDocument() {
        assertThat(text(null, "a")).isNull();
    }
}
