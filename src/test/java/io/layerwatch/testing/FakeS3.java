package io.layerwatch.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.QueryParameter;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A small S3 behind WireMock for the real SDK client (path-style addressing, as with an endpoint
 * override): ListObjectsV2 with prefix, delimiter, start-after and continuation tokens, in pages of
 * {@value #PAGE} entries so that paging is always exercised; GetObject; chosen keys or listings
 * failing with an HTTP status and S3's error body.
 *
 * <pre>{@code
 * static final FakeS3 S3 = new FakeS3();
 * @RegisterExtension static final FakeAws AWS = new FakeAws(S3);
 * @BeforeEach void s3() { S3.install(AWS.server()); S3.put("trail", key, bytes); }
 * }</pre>
 */
public final class FakeS3 implements ResponseDefinitionTransformerV2 {
    public static final String NAME = "fake-s3";
    static final int PAGE = 2;

    /** "bucket/key" -> contents. */
    private final NavigableMap<String, byte[]> objects = new ConcurrentSkipListMap<>();

    /** "bucket/key" of GetObject, or "bucket?prefix" of a listing -> HTTP status. */
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();

    /**
     * Empties the store and routes every request here (FakeAws resets WireMock before each test).
     */
    public void install(WireMockServer server) {
        objects.clear();
        failures.clear();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(NAME)));
    }

    public void put(String bucket, String key, byte[] contents) {
        objects.put(bucket + "/" + key, contents);
    }

    /**
     * GetObject of this key answers {@code status} (403 AccessDenied, 500 InternalError, ...),
     * every time.
     */
    public void failGet(String bucket, String key, int status) {
        failures.put(bucket + "/" + key, status);
    }

    /** ListObjectsV2 with exactly this prefix answers {@code status}. */
    public void failList(String bucket, String prefix, int status) {
        failures.put(bucket + "?" + prefix, status);
    }

    /**
     * The ListObjectsV2 requests served, oldest first: "prefix", plus " after START" with a
     * start-after.
     */
    public static List<String> listings(WireMockServer server) {
        List<String> out = new ArrayList<>();
        for (Request r : requests(server)) {
            if (r.queryParameter("list-type").isPresent()) {
                String after = value(r, "start-after", null);
                out.add(value(r, "prefix", "") + (after == null ? "" : " after " + after));
            }
        }
        return out;
    }

    /** The keys of the GetObject requests served, oldest first. */
    public static List<String> gets(WireMockServer server) {
        List<String> out = new ArrayList<>();
        for (Request r : requests(server)) {
            String[] bucketKey = bucketKey(r);
            if (!bucketKey[1].isEmpty()) {
                out.add(bucketKey[1]);
            }
        }
        return out;
    }

    private static List<Request> requests(WireMockServer server) {
        List<Request> out = new ArrayList<>();
        server.getAllServeEvents()
                .forEach(e -> out.add(0, e.getRequest())); // WireMock lists newest first
        return out;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        Request r = event.getRequest();
        String[] bucketKey = bucketKey(r);
        if (!"GET".equals(r.getMethod().getName())) {
            return error(501, "NotImplemented", r.getMethod() + " is not faked");
        }
        return bucketKey[1].isEmpty() ? list(bucketKey[0], r) : get(bucketKey[0], bucketKey[1]);
    }

    private ResponseDefinition get(String bucket, String key) {
        Integer status = failures.get(bucket + "/" + key);
        if (status != null) {
            return error(status);
        }
        byte[] contents = objects.get(bucket + "/" + key);
        if (contents == null) {
            return error(404, "NoSuchKey", "The specified key does not exist.");
        }
        return new ResponseDefinitionBuilder()
                .withStatus(200)
                .withHeader("Content-Type", "application/octet-stream")
                .withHeader("ETag", "\"e\"")
                .withBody(contents)
                .build();
    }

    private ResponseDefinition list(String bucket, Request r) {
        String prefix = value(r, "prefix", "");
        String delimiter = value(r, "delimiter", null);
        Integer status = failures.get(bucket + "?" + prefix);
        if (status != null) {
            return error(status);
        }
        String token = value(r, "continuation-token", null);
        String after =
                token == null
                        ? value(r, "start-after", "")
                        : new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        // a token that is a common prefix skips every key below it
        boolean afterFolder = token != null && delimiter != null && after.endsWith(delimiter);
        List<String> entries =
                new ArrayList<>(); // keys, and common prefixes (ending with the delimiter)
        List<Long> sizes = new ArrayList<>();
        for (Map.Entry<String, byte[]> o :
                objects.tailMap(bucket + "/" + prefix, true).entrySet()) {
            String key = o.getKey().substring(bucket.length() + 1);
            if (!o.getKey().startsWith(bucket + "/")
                    || !key.startsWith(prefix)
                    || entries.size() > PAGE) {
                break;
            }
            if (key.compareTo(after) <= 0 || afterFolder && key.startsWith(after)) {
                continue;
            }
            String rest = key.substring(prefix.length());
            int cut = delimiter == null ? -1 : rest.indexOf(delimiter);
            String entry = cut < 0 ? key : prefix + rest.substring(0, cut + delimiter.length());
            if (entries.isEmpty() || !entries.get(entries.size() - 1).equals(entry)) {
                entries.add(entry);
                sizes.add((long) o.getValue().length);
            }
        }
        boolean truncated = entries.size() > PAGE;
        List<String> page = truncated ? entries.subList(0, PAGE) : entries;
        StringBuilder xml =
                new StringBuilder(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                                + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        xml.append("<Name>")
                .append(xml(bucket))
                .append("</Name><Prefix>")
                .append(xml(prefix))
                .append("</Prefix>")
                .append("<KeyCount>")
                .append(page.size())
                .append("</KeyCount><MaxKeys>1000</MaxKeys>")
                .append("<IsTruncated>")
                .append(truncated)
                .append("</IsTruncated>");
        if (delimiter != null) {
            xml.append("<Delimiter>").append(xml(delimiter)).append("</Delimiter>");
        }
        for (int i = 0; i < page.size(); i++) {
            String entry = page.get(i);
            if (delimiter != null
                    && entry.endsWith(delimiter)
                    && !objects.containsKey(bucket + "/" + entry)) {
                xml.append("<CommonPrefixes><Prefix>")
                        .append(xml(entry))
                        .append("</Prefix></CommonPrefixes>");
            } else {
                xml.append("<Contents><Key>")
                        .append(xml(entry))
                        .append("</Key>")
                        .append(
                                "<LastModified>2024-05-01T00:00:00.000Z</LastModified><ETag>\"e\"</ETag>")
                        .append("<Size>")
                        .append(sizes.get(i))
                        .append("</Size><StorageClass>STANDARD</StorageClass>")
                        .append("</Contents>");
            }
        }
        if (truncated) {
            xml.append("<NextContinuationToken>")
                    .append(
                            Base64.getUrlEncoder()
                                    .encodeToString(
                                            page.get(PAGE - 1).getBytes(StandardCharsets.UTF_8)))
                    .append("</NextContinuationToken>");
        }
        return xmlResponse(200, xml.append("</ListBucketResult>").toString());
    }

    private static ResponseDefinition error(int status) {
        return switch (status) {
            case 403 -> error(status, "AccessDenied", "Access Denied");
            case 404 -> error(status, "NoSuchKey", "The specified key does not exist.");
            case 503 -> error(status, "SlowDown", "Please reduce your request rate.");
            default ->
                    error(
                            status,
                            "InternalError",
                            "We encountered an internal error. Please try again.");
        };
    }

    private static ResponseDefinition error(int status, String code, String message) {
        return xmlResponse(
                status,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                        + code
                        + "</Code><Message>"
                        + xml(message)
                        + "</Message><RequestId>fake</RequestId></Error>");
    }

    private static ResponseDefinition xmlResponse(int status, String body) {
        return new ResponseDefinitionBuilder()
                .withStatus(status)
                .withHeader("Content-Type", "application/xml")
                .withBody(body)
                .build();
    }

    /** [bucket, key] of a path-style request ("" key for bucket-level requests). */
    private static String[] bucketKey(Request r) {
        String path = URI.create(r.getUrl()).getPath().substring(1);
        int slash = path.indexOf('/');
        return slash < 0
                ? new String[] {path, ""}
                : new String[] {path.substring(0, slash), path.substring(slash + 1)};
    }

    private static String value(Request r, String name, String absent) {
        QueryParameter p = r.queryParameter(name);
        return p.isPresent() ? p.firstValue() : absent;
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }
}
