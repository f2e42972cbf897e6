package io.layerwatch.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks of the HTTP endpoints LayerWatch posts to (webhooks, the image assessment API) and of
 * their headers. Problems never quote the URL or header value: a Slack webhook URL is itself the
 * secret, and headers carry tokens.
 */
public final class HttpEndpoints {
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.\\d{1,3}){3}");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private HttpEndpoints() {}

    /**
     * What is wrong with {@code url} as an endpoint, or null: https, or http to a loopback host.
     */
    public static String urlProblem(String url) {
        if (url == null || url.isBlank()) {
            return "is empty";
        }
        URI u;
        try {
            u = new URI(url.trim());
        } catch (URISyntaxException e) {
            return "is not a well-formed URL";
        }
        if (!u.isAbsolute() || u.isOpaque()) {
            return "is not an absolute http(s) URL";
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        if (u.getHost() == null || u.getHost().isEmpty()) {
            return "has no host";
        }
        if (u.getRawUserInfo() != null) {
            return "must not carry credentials before the host";
        }
        if ("https".equals(scheme) || ("http".equals(scheme) && loopback(u.getHost()))) {
            return null;
        }
        return "must be https (http only for loopback: 127.0.0.0/8, ::1, localhost), not " + scheme;
    }

    /** localhost, 127.0.0.0/8 or ::1, by name only (never resolved). */
    static boolean loopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost")
                || h.equals("[::1]")
                || h.equals("[0:0:0:0:0:0:0:1]")
                || (LOOPBACK_V4.matcher(h).matches()
                        && Arrays.stream(h.split("\\.")).allMatch(o -> Integer.parseInt(o) <= 255));
    }

    /**
     * What is wrong with a header, or null; names the header only when its name is a valid token.
     */
    public static String headerProblem(String name, String value) {
        if (name == null || !TOKEN.matcher(name).matches()) {
            return "a header name is not a valid HTTP token";
        }
        if (value == null) {
            return "header " + name + " has no value";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return "header " + name + " has a control character (CR, LF, ...) in its value";
            }
        }
        return null;
    }

    /** The first problem of these headers, or null. */
    public static String headersProblem(Map<String, String> headers) {
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String problem = headerProblem(h.getKey(), h.getValue());
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }
}
