package io.layerwatch.sinks.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.HttpEndpoints;
import io.layerwatch.sinks.delivery.EntryResult;
import io.layerwatch.sinks.delivery.ErrorClassifier;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The external image assessment service (CrowdStrike Falcon-like), the one place its HTTP contract
 * lives. Paths are configurable ({@code remediation.actions.register-registry}); the defaults:
 *
 * <pre>
 * POST {baseUrl}/oauth2/token                      form: grant_type=client_credentials, client_id, client_secret
 *      -> 200/201 {"access_token": "...", "token_type": "bearer", "expires_in": 1799}
 * GET  {baseUrl}{registriesPath}?offset=N&amp;limit=100   Authorization: Bearer TOKEN
 *      -> 200 {"resources": [{"id": "...", "type": "ecr", "url": "https://ACCOUNT.dkr.ecr.REGION.amazonaws.com"}],
 *              "meta": {"pagination": {"offset": N, "limit": 100, "total": T}}}
 * POST {baseUrl}{registriesPath}                   JSON: {"type": "ecr", "url": "https://ACCOUNT.dkr.ecr.REGION.amazonaws.com",
 *                                                         "user_defined_alias": "ecr-ACCOUNT-REGION",
 *                                                         "credential": {"details": {"aws_iam_role": ROLE_ARN,
 *                                                                                    "aws_external_id": EXTERNAL_ID}}}
 *      -> 200/201 {"resources": [{"id": "..."}]};  409: it exists already
 * DELETE {baseUrl}{registriesPath}?ids=ID          (undo) -> 200
 * </pre>
 *
 * with registriesPath {@code /container-security/entities/registries/v1}. A registry is enrolled
 * when a connection of type ecr (or without a type) has its URL (compared without scheme, case or
 * trailing slash). 429, 408, 5xx and connection errors are retried by the caller; other statuses
 * are final; error bodies are never quoted (a server may echo the token). A 401 from the API renews
 * the token once; from the token endpoint, re-reads the secret once. The base URL must be https
 * (http only for loopback); client secret and token are never logged.
 */
public final class AssessmentApi {

    public static final String DEFAULT_TOKEN_PATH = "/oauth2/token";
    public static final String DEFAULT_REGISTRIES_PATH =
            "/container-security/entities/registries/v1";
    static final int PAGE = 100;
    static final int MAX_PAGES = 100;

    /** The client credentials and base URL, read from the Secrets Manager secret. */
    public record Credentials(String clientId, String clientSecret, String baseUrl) {
        @Override
        public String toString() {
            return "Credentials[clientId=" + clientId + ", baseUrl=" + baseUrl + "]";
        }
    }

    /** One registry connection of the service. */
    public record Connection(String id, String type, String url) {}

    private final Supplier<Credentials> secret;
    private final String tokenPath;
    private final String registriesPath;
    private final Duration timeout;
    private final HttpClient http;
    private final Clock clock;
    private Credentials credentials;
    private String token;
    private Instant tokenExpires = Instant.EPOCH;

    /**
     * @param secret reads the credentials (called again when the token endpoint answers 401)
     */
    public AssessmentApi(
            Supplier<Credentials> secret,
            String tokenPath,
            String registriesPath,
            Duration timeout,
            Clock clock) {
        this.secret = secret;
        this.tokenPath = tokenPath == null ? DEFAULT_TOKEN_PATH : tokenPath;
        this.registriesPath = registriesPath == null ? DEFAULT_REGISTRIES_PATH : registriesPath;
        this.timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
        this.clock = clock;
        this.http =
                HttpClient.newBuilder()
                        .connectTimeout(this.timeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
    }

    /** The URL the service knows an ECR registry by. */
    public static String registryUrl(String account, String region) {
        return "https://" + Target.registry(account, region).registryHost();
    }

    /** Parses the secret: {"clientId", "clientSecret", "baseUrl"} (snake_case accepted too). */
    public static Credentials parseSecret(String secretString) {
        JsonNode s = Json.tree(secretString);
        if (s == null || !s.isObject()) {
            throw new ActionRejectedException("the assessment service secret is not a JSON object");
        }
        String id = field(s, "clientId", "client_id");
        String key = field(s, "clientSecret", "client_secret");
        String base = field(s, "baseUrl", "base_url");
        if (id == null || key == null || base == null) {
            throw new ActionRejectedException(
                    "the assessment service secret needs clientId, clientSecret and baseUrl");
        }
        return new Credentials(id, key, base);
    }

    private static String field(JsonNode s, String a, String b) {
        String v = s.path(a).asText(null);
        return v != null && !v.isBlank() ? v : s.path(b).asText(null);
    }

    /** The service's connection for this registry URL, if any (all pages are read). */
    public synchronized Optional<Connection> find(String registryUrl)
            throws IOException, InterruptedException {
        String wanted = canonical(registryUrl);
        for (int page = 0, offset = 0; page < MAX_PAGES; page++) {
            JsonNode body =
                    call("GET", registriesPath + "?offset=" + offset + "&limit=" + PAGE, null);
            JsonNode resources = body.path("resources");
            for (JsonNode r : resources) {
                String type = r.path("type").asText("ecr");
                if ("ecr".equalsIgnoreCase(type)
                        && wanted.equals(canonical(r.path("url").asText("")))) {
                    return Optional.of(
                            new Connection(
                                    r.path("id").asText(null), type, r.path("url").asText()));
                }
            }
            offset += resources.size();
            long total = body.path("meta").path("pagination").path("total").asLong(-1);
            if (resources.isEmpty()
                    || (total >= 0 && offset >= total)
                    || (total < 0 && resources.size() < PAGE)) {
                return Optional.empty();
            }
        }
        throw new ActionRejectedException(
                "the assessment service listed more than "
                        + MAX_PAGES * PAGE
                        + " registries without reaching the end");
    }

    /** Creates the connection; a 409 (it exists) returns the existing one. */
    public synchronized Connection create(
            String account, String region, String roleArn, String externalId)
            throws IOException, InterruptedException {
        String url = registryUrl(account, region);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("type", "ecr");
        body.put("url", url);
        body.put("user_defined_alias", "ecr-" + account + "-" + region);
        ObjectNode details = body.putObject("credential").putObject("details");
        details.put("aws_iam_role", roleArn);
        if (externalId != null) {
            details.put("aws_external_id", externalId);
        }
        try {
            JsonNode created = call("POST", registriesPath, body.toString());
            JsonNode first = created.path("resources").path(0);
            String id = first.isObject() ? first.path("id").asText(null) : first.asText(null);
            return new Connection(id, "ecr", url);
        } catch (Conflict e) {
            return find(url)
                    .orElseThrow(
                            () ->
                                    new ActionRejectedException(
                                            "the assessment service reported a conflict but lists no connection for "
                                                    + url));
        }
    }

    public synchronized void delete(String id) throws IOException, InterruptedException {
        call(
                "DELETE",
                registriesPath + "?ids=" + URLEncoder.encode(id, StandardCharsets.UTF_8),
                null);
    }

    // ---- HTTP
    // -------------------------------------------------------------------------------------------------

    private static final class Conflict extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Conflict() {
            super(null, null, false, false);
        }
    }

    private JsonNode call(String method, String pathAndQuery, String json)
            throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            HttpRequest.Builder b =
                    HttpRequest.newBuilder(uri(pathAndQuery))
                            .timeout(timeout)
                            .header("Accept", "application/json")
                            .header("Authorization", "Bearer " + token());
            if (json != null) {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(json));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 401 && attempt == 0) {
                token = null; // expired or revoked early: one fresh token
                continue;
            }
            if (r.statusCode() == 409 && "POST".equals(method)) {
                throw new Conflict();
            }
            check("assessment API " + method + " " + pathAndQuery.replaceAll("\\?.*", ""), r);
            JsonNode body = Json.tree(r.body());
            return body == null ? Json.MAPPER.createObjectNode() : body;
        }
    }

    private String token() throws IOException, InterruptedException {
        if (token != null && clock.instant().isBefore(tokenExpires)) {
            return token;
        }
        for (int attempt = 0; ; attempt++) {
            if (credentials == null || attempt > 0) {
                credentials = secret.get();
            }
            String form =
                    "grant_type=client_credentials&client_id="
                            + enc(credentials.clientId())
                            + "&client_secret="
                            + enc(credentials.clientSecret());
            HttpRequest request =
                    HttpRequest.newBuilder(uri(tokenPath))
                            .timeout(timeout)
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .header("Accept", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(form))
                            .build();
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 401 && attempt == 0) {
                continue; // the secret may have been rotated
            }
            check("assessment API token", r);
            JsonNode body = Json.tree(r.body());
            String t = body == null ? null : body.path("access_token").asText(null);
            if (t == null || t.isBlank()) {
                throw new ActionRejectedException(
                        "assessment API token: no access_token in the response");
            }
            long seconds = body.path("expires_in").asLong(300);
            token = t;
            tokenExpires = clock.instant().plusSeconds(Math.max(0, seconds - 30));
            return token;
        }
    }

    private static void check(String what, HttpResponse<String> r) throws IOException {
        EntryResult result = ErrorClassifier.classifyHttp(r.statusCode(), r.body());
        switch (result.status()) {
            case DELIVERED -> {
                return;
            }
            case RETRY -> throw new IOException(what + ": " + result.error());
            default -> throw new ActionRejectedException(what + ": " + result.error());
        }
    }

    private URI uri(String path) {
        String base = credentials != null ? credentials.baseUrl() : secretBase();
        String problem = HttpEndpoints.urlProblem(base);
        if (problem != null) {
            throw new ActionRejectedException("the assessment service baseUrl " + problem);
        }
        String trimmed = base.trim();
        URI b =
                URI.create(
                        trimmed.endsWith("/")
                                ? trimmed.substring(0, trimmed.length() - 1)
                                : trimmed);
        return URI.create(b + (path.startsWith("/") ? path : "/" + path));
    }

    private String secretBase() {
        credentials = secret.get();
        return credentials.baseUrl();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Registry URLs compare without scheme, case and trailing slash. */
    static String canonical(String url) {
        String u = url.trim().toLowerCase(Locale.ROOT);
        u = u.replaceFirst("^[a-z]+://", "");
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }
}
