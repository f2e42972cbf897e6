package io.layerwatch.event;

import java.time.Instant;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One decoded input event: a CloudTrail API call, an image scan result or an image action.
 * Immutable; Flink serialises it with {@link EcrEventSerializer} (no Kryo, no reflection).
 *
 * <p>Fields the rules use on the hot path are extracted once at decode time; {@code rawJson} keeps
 * the original record (compact JSON, UTF-8) as evidence and for the rare rules that need more of
 * it: bytes ({@link RawJson}, often a range of an array shared with other records), which Flink
 * serializes as one block (a String is encoded character by character).
 */
@TypeInfo(EcrEventSerializer.Factory.class)
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
        RawJson rawJson) {

    public static final String ECR_SOURCE = "ecr.amazonaws.com";

    /** The original record as JSON text. */
    public String raw() {
        return rawJson.text();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EcrEvent e
                && eventTime == e.eventTime
                && criticalCount == e.criticalCount
                && highCount == e.highCount
                && kind == e.kind
                && Objects.equals(eventId, e.eventId)
                && Objects.equals(eventSource, e.eventSource)
                && Objects.equals(eventName, e.eventName)
                && Objects.equals(region, e.region)
                && Objects.equals(accountId, e.accountId)
                && Objects.equals(principal, e.principal)
                && Objects.equals(sourceIp, e.sourceIp)
                && Objects.equals(userAgent, e.userAgent)
                && Objects.equals(vpcEndpointId, e.vpcEndpointId)
                && Objects.equals(errorCode, e.errorCode)
                && Objects.equals(registryId, e.registryId)
                && Objects.equals(repositoryName, e.repositoryName)
                && Objects.equals(layerDigest, e.layerDigest)
                && Objects.equals(imageDigest, e.imageDigest)
                && Objects.equals(imageTags, e.imageTags)
                && Objects.equals(scanStatus, e.scanStatus)
                && Objects.equals(policyText, e.policyText)
                && Objects.equals(rawJson, e.rawJson);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, eventTime, eventName, principal) * 31
                + Objects.hashCode(rawJson);
    }

    @Override
    public String toString() {
        return "EcrEvent["
                + kind
                + " "
                + eventSource
                + " "
                + eventName
                + " "
                + eventId
                + " at "
                + time()
                + " by "
                + principal.arn()
                + (repositoryName == null ? "" : " on " + repositoryName)
                + "]";
    }

    public boolean isApiCall() {
        return kind == EventKind.API_CALL;
    }

    public boolean isEcrApiCall() {
        return kind == EventKind.API_CALL && ECR_SOURCE.equals(eventSource);
    }

    /**
     * Whether the rules look at this kind of event at all: ECR calls, image scans, image actions.
     */
    public boolean analysed() {
        return isEcrApiCall() || kind == EventKind.IMAGE_SCAN || kind == EventKind.IMAGE_ACTION;
    }

    /** This record as a {@link EventKind#SESSION_ORIGIN}. */
    public EcrEvent asSessionOrigin() {
        return with(EventKind.SESSION_ORIGIN, rawJson);
    }

    /**
     * This event with its raw JSON in an array of its own: for state that keeps it long, so that it
     * does not keep the decoder's shared array (a few thousand records) alive.
     */
    @SuppressWarnings("ReferenceEquality") // whether detached() made a copy
    public EcrEvent detached() {
        RawJson own = rawJson == null ? null : rawJson.detached();
        return own == rawJson ? this : with(kind, own);
    }

    private EcrEvent with(EventKind k, RawJson raw) {
        return new EcrEvent(
                eventId,
                eventTime,
                k,
                eventSource,
                eventName,
                region,
                accountId,
                principal,
                sourceIp,
                userAgent,
                vpcEndpointId,
                errorCode,
                registryId,
                repositoryName,
                layerDigest,
                imageDigest,
                imageTags,
                scanStatus,
                criticalCount,
                highCount,
                policyText,
                raw);
    }

    public boolean failed() {
        return errorCode != null && !errorCode.isEmpty();
    }

    public boolean is(String apiName) {
        return isEcrApiCall() && apiName.equals(eventName);
    }

    /** The registry this event concerns: registry id (account) and region. */
    public String registryKey() {
        return JoinedKeys.join(registryId != null ? registryId : accountId, ":", region);
    }

    /** The repository this event concerns, or null when it is registry-wide. */
    public String repositoryKey() {
        return repositoryName == null ? null : JoinedKeys.join(registryKey(), ":", repositoryName);
    }

    /** True when the caller's account differs from the account that received the call. */
    public boolean crossAccount() {
        return principal.accountId() != null
                && accountId != null
                && !principal.accountId().equals(accountId);
    }

    public Instant time() {
        return Instant.ofEpochMilli(eventTime);
    }
}
