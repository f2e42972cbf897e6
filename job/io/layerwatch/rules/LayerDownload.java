package io.layerwatch.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.util.Json;
import java.util.Optional;

/**
 * {@code layer-download}: every successful GetDownloadUrlForLayer. The call returns a presigned S3
 * URL for the layer, usable from anywhere for its lifetime: the exfiltration risk this product
 * watches.
 */
public final class LayerDownload implements SingleEventRule {
    public static final String ID = RuleCatalog.LAYER_DOWNLOAD;
    public static final String API = "GetDownloadUrlForLayer";

    @Override
    public String id() {
        return ID;
    }

    public static boolean isDownload(EcrEvent e) {
        return e.is(API) && !e.failed();
    }

    @Override
    public boolean applies(EcrEvent e, RuleSettings settings) {
        return isDownload(e);
    }

    @Override
    public Optional<Finding> evaluate(EcrEvent e, RuleSettings settings) {
        if (!applies(e, settings)) {
            return Optional.empty();
        }
        return Optional.of(
                FindingBuilder.of(settings)
                        .event(e)
                        .title(
                                "ECR layer download by "
                                        + e.principal().name()
                                        + " from "
                                        + e.repositoryName())
                        .description(
                                e.principal().type()
                                        + " "
                                        + e.principal().arn()
                                        + " obtained a presigned download URL"
                                        + " for layer "
                                        + e.layerDigest()
                                        + " of repository "
                                        + e.repositoryName()
                                        + " from "
                                        + e.sourceIp()
                                        + ". The URL works from any network until it expires.")
                        .key(e.principal().arn())
                        .detail("identityType", e.principal().type())
                        .detail("identityName", e.principal().name())
                        .detail("layerDigest", e.layerDigest())
                        .detail("requestParameters", requestParameters(e))
                        .build());
    }

    static Object requestParameters(EcrEvent e) {
        JsonNode raw = Json.tree(e.raw());
        return raw == null ? null : raw.get("requestParameters");
    }
}
