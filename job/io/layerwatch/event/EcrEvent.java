package io.layerwatch.event;

import java.time.Instant;

/**
 * One decoded input event: a CloudTrail API call, an image scan result or an image action.
 * Immutable; a Java record so Flink serialises it with its POJO serializer (no Kryo).
 *
 * <p>Fields the rules use on the hot path are extracted once at decode time; {@code raw} keeps the
 * original record (JSON text) as evidence and for the rare rules that need more of it.
 */
public record EcrEvent(
        String eventId,
        long eventTime,
        EventKind kind,
        String eventSource,
        String eventName,
        String region,
        String accountId,
        Principal principal,
        String sourceIp,
        String userAgent,
        String vpcEndpointId,
        String errorCode,
        String registryId,
        String repositoryName,
        String layerDigest,
        String imageDigest,
        String imageTags,
        String scanStatus,
        int criticalCount,
        int highCount,
        String policyText,
        String raw) {

    public static final String ECR_SOURCE = "ecr.amazonaws.com";

    public boolean isApiCall() {
        return kind == EventKind.API_CALL;
    }

    public boolean isEcrApiCall() {
        return kind == EventKind.API_CALL && ECR_SOURCE.equals(eventSource);
    }

    /** Whether the rules look at this kind of event at all: ECR calls, image scans, image actions. */
    public boolean analysed() {
        return isEcrApiCall() || kind == EventKind.IMAGE_SCAN || kind == EventKind.IMAGE_ACTION;
    }

    public boolean failed() {
        return errorCode != null && !errorCode.isEmpty();
    }

    public boolean is(String apiName) {
        return isEcrApiCall() && apiName.equals(eventName);
    }

    /** The registry this event concerns: registry id (account) and region. */
    public String registryKey() {
        return (registryId != null ? registryId : accountId) + ":" + region;
    }

    /** The repository this event concerns, or null when it is registry-wide. */
    public String repositoryKey() {
        return repositoryName == null ? null : registryKey() + ":" + repositoryName;
    }

    /** True when the caller's account differs from the account that received the call. */
    public boolean crossAccount() {
        return principal.accountId() != null && accountId != null && !principal.accountId().equals(accountId);
    }

    public Instant time() {
        return Instant.ofEpochMilli(eventTime);
    }
}
