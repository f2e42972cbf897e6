package io.layerwatch.sinks.delivery;

import io.layerwatch.finding.Finding;
import io.layerwatch.util.Json;

/** A destination of findings: dead letters name the finding id and keep the finding's JSON. */
public interface FindingTarget extends DeliveryTarget<Finding> {

    @Override
    default String key(Finding finding) {
        return finding.id();
    }

    @Override
    default String record(Finding finding) {
        return Json.write(finding);
    }
}
