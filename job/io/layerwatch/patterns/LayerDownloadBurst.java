package io.layerwatch.patterns;

import io.layerwatch.config.ParamType;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.rules.LayerDownload;
import java.io.Serializable;
import java.util.List;
import java.util.function.Function;

/**
 * {@code layer-download-burst}: one principal downloads at least {@code minDistinctLayers} distinct
 * layers within {@code window}. Normal pulls fetch only uncached layers of one image; bulk
 * distinct-layer downloads look like a registry being copied out.
 */
public final class LayerDownloadBurst extends BurstRule {
    private static final long serialVersionUID = 1L;
    public static final String ID = RuleCatalog.LAYER_DOWNLOAD_BURST;

    public LayerDownloadBurst() {
        super("minDistinctLayers");
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    boolean counts(EcrEvent e) {
        return LayerDownload.isDownload(e);
    }

    @Override
    Function<EcrEvent, String> distinctBy() {
        return (Function<EcrEvent, String> & Serializable) EcrEvent::layerDigest;
    }

    @Override
    Finding describe(FindingBuilder b, List<EcrEvent> events, RuleSettings s) {
        List<String> repositories = distinct(events, EcrEvent::repositoryName);
        List<String> layers = distinct(events, EcrEvent::layerDigest);
        EcrEvent first = events.get(0);
        return b.title(
                        "Burst of ECR layer downloads by "
                                + first.principal().name()
                                + ": "
                                + layers.size()
                                + " layers from "
                                + repositories.size()
                                + " repositories")
                .description(
                        first.principal().arn()
                                + " requested presigned download URLs for at least "
                                + layers.size()
                                + " distinct layers across "
                                + repositories.size()
                                + " repositories within "
                                + ParamType.format(s.duration("window"))
                                + ". Bulk layer downloads can mean a registry is being copied out.")
                .detail("distinctLayers", layers.size())
                .detail("repositories", repositories)
                .detail("layerDigests", layers)
                .detail("sourceIps", distinct(events, EcrEvent::sourceIp))
                .build();
    }

    @Override
    public Finding merge(Finding current, Finding next) {
        return mergeCounting(current, next, "layerDigests", "distinctLayers");
    }
}
