package io.layerwatch.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.Glob;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.util.Json;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code pull-through-cache-untrusted}: a successful CreatePullThroughCacheRule or
 * UpdatePullThroughCacheRule whose upstream registry is neither in {@code trustedUpstreams} (host
 * globs, case-insensitive) nor an ECR registry of the organization. Images pulled through the
 * rule's prefix come from that upstream: whoever controls it controls what the workloads run.
 *
 * <p>The upstream is {@code upstreamRegistryUrl} of the request (or of the response).
 * UpdatePullThroughCacheRule cannot change the upstream and its records do not name it: an update
 * is judged only when they do.
 */
public final class PullThroughCacheUntrusted implements SingleEventRule {
    public static final String ID = RuleCatalog.PULL_THROUGH_CACHE_UNTRUSTED;
    public static final String CREATE = "CreatePullThroughCacheRule";
    public static final String UPDATE = "UpdatePullThroughCacheRule";

    /** A private ECR registry's host: account, optional FIPS endpoint, region, partition suffix. */
    private static final Pattern ECR_REGISTRY =
            Pattern.compile(
                    "(\\d{12})\\.dkr\\.ecr(?:-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com(?:\\.cn)?");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean applies(EcrEvent e, RuleSettings settings) {
        return (e.is(CREATE) || e.is(UPDATE)) && !e.failed();
    }

    @Override
    public Optional<Finding> evaluate(EcrEvent e, RuleSettings settings) {
        if (!applies(e, settings)) {
            return Optional.empty();
        }
        JsonNode raw = Json.tree(e.raw());
        JsonNode request = raw == null ? null : raw.path("requestParameters");
        String url = text(request, "upstreamRegistryUrl");
        if (url == null && raw != null) {
            url = text(raw.path("responseElements"), "upstreamRegistryUrl");
        }
        if (url == null) {
            return Optional.empty();
        }
        String host = host(url);
        Matcher ecr = ECR_REGISTRY.matcher(host);
        String upstreamAccount = ecr.matches() ? ecr.group(1) : null;
        if (trusted(host, settings)
                || (upstreamAccount != null
                        && settings.allowlist().trustedAccount(upstreamAccount, e))) {
            return Optional.empty();
        }
        String prefix = text(request, "ecrRepositoryPrefix");
        String what =
                upstreamAccount != null
                        ? "the ECR registry of account "
                                + upstreamAccount
                                + ", outside the organization"
                        : "an upstream registry not in trustedUpstreams";
        FindingBuilder b =
                FindingBuilder.of(settings)
                        .event(e)
                        .title(
                                "ECR pull through cache rule "
                                        + (prefix == null ? "" : "'" + prefix + "' ")
                                        + "caches "
                                        + host
                                        + " in "
                                        + e.registryKey())
                        .description(
                                e.principal().arn()
                                        + " "
                                        + (e.is(CREATE) ? "created" : "updated")
                                        + " a pull through cache rule of registry "
                                        + e.registryKey()
                                        + " from "
                                        + e.sourceIp()
                                        + " that caches images from "
                                        + host
                                        + ", "
                                        + what
                                        + ". Every image pulled through prefix "
                                        + (prefix == null ? "(unknown)" : prefix)
                                        + " comes from there.")
                        .key(e.registryKey() + ":" + (prefix == null ? "" : prefix))
                        .detail("upstreamRegistryUrl", url)
                        .detail("ecrRepositoryPrefix", prefix);
        detailIfPresent(b, request, "upstreamRegistry");
        detailIfPresent(b, request, "upstreamRepositoryPrefix");
        detailIfPresent(b, request, "credentialArn");
        if (upstreamAccount != null) {
            b.detail("upstreamAccount", upstreamAccount);
        }
        return Optional.of(b.build());
    }

    private static boolean trusted(String host, RuleSettings settings) {
        for (String g : settings.strings("trustedUpstreams")) {
            if (Glob.of(host(g)).matches(host)) {
                return true;
            }
        }
        return false;
    }

    /** Lower case, without scheme and trailing slashes: "https://Quay.io/" is "quay.io". */
    static String host(String url) {
        String h = url.trim().toLowerCase(Locale.ROOT);
        int scheme = h.indexOf("://");
        if (scheme >= 0) {
            h = h.substring(scheme + 3);
        }
        while (h.endsWith("/")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    private static void detailIfPresent(FindingBuilder b, JsonNode node, String field) {
        String v = text(node, field);
        if (v != null) {
            b.detail(field, v);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || !v.isTextual() || v.asText().isEmpty() ? null : v.asText();
    }
}
