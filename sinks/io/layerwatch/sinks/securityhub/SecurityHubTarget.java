package io.layerwatch.sinks.securityhub;

import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.Delivery;
import io.layerwatch.sinks.delivery.DeliveryClient;
import io.layerwatch.sinks.delivery.EntryResult;
import io.layerwatch.sinks.delivery.ErrorClassifier;
import io.layerwatch.sinks.delivery.FindingTarget;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.securityhub.SecurityHubClient;
import software.amazon.awssdk.services.securityhub.model.AwsSecurityFinding;
import software.amazon.awssdk.services.securityhub.model.BatchImportFindingsResponse;
import software.amazon.awssdk.services.securityhub.model.ImportFindingsError;
import software.amazon.awssdk.services.securityhub.model.RelatedFinding;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Imports findings into AWS Security Hub with BatchImportFindings, as ASFF (see {@link
 * AsffMapper}). Each finding is encoded once; send() parses the payloads into the SDK model (the
 * request body is the encoded JSON) and maps FailedFindings to per-entry results: invalid input or
 * access is final, throttling and internal errors are retried. A finding id that occurs twice in
 * one batch (two versions of a folded episode) is sent once, in its latest version; both entries
 * share its result.
 *
 * <p>With the default product ARN Security Hub imports a finding only from the account named in its
 * AwsAccountId, so every finding goes to the hub account, the caller's own: send() sets
 * AwsAccountId and ProductArn ({@code arn:PARTITION:securityhub:REGION:HUB:product/HUB/default},
 * REGION the client's) to it whatever the payload says. HUB is {@code hubAccountId}, else the
 * caller's account from STS GetCallerIdentity, asked once per client at its first batch; while that
 * fails, the batch's entries fail with the reason (retried when the STS error is transient, then
 * dead-lettered). The account and region a finding is about stay in Resources and ProductFields
 * ({@code layerwatch/accountId}, {@code layerwatch/region}).
 */
public final class SecurityHubTarget implements FindingTarget {
    private static final long serialVersionUID = 1L;

    public static final String NAME = "securityhub";

    /** BatchImportFindings: up to 100 findings, 240 KB per finding, 6 MB per request. */
    public static final int MAX_BATCH_ENTRIES = 100;

    public static final long MAX_REQUEST_BYTES = 6_000_000;

    /** Room for the request envelope ({"Findings":[...]} and separators). */
    static final long ENVELOPE_HEADROOM = 16 * 1024;

    /** 10 requests/s per account and region (bursts of 30). */
    public static final double DEFAULT_REQUESTS_PER_SECOND = 10;

    /**
     * FailedFindings error codes worth retrying; any other code (InvalidInput, InvalidAccess, ...)
     * is final.
     */
    private static final Pattern TRANSIENT_CODES =
            Pattern.compile(
                    "(?i).*(throttl|limitexceeded|toomanyrequests|internal|unavailable|timeout).*");

    /** A valid hub account id (also what the runtime property must look like). */
    public static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");

    /** A valid hub region: us-east-1, us-gov-west-1, cn-north-1, eu-central-2 ... */
    public static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");

    /**
     * Where and how findings are imported.
     *
     * @param aws client settings (region, endpoint, timeouts)
     * @param hubAccountId the account findings are imported into (AwsAccountId and ProductArn),
     *     which must be the caller's own; null: the caller's account, asked from STS
     *     GetCallerIdentity
     * @param hubRegion the Security Hub region (client and ProductArn); null: aws.region, else the
     *     SDK's default region
     * @param compliance Compliance.RelatedRequirements per rule id, replacing the built-in mapping
     *     ({@link AsffMapper#defaultCompliance()}); null: built-in
     * @param requestsPerSecond pacing of BatchImportFindings calls; 0 for none
     */
    public record Settings(
            AwsClientSettings aws,
            String hubAccountId,
            String hubRegion,
            Map<String, List<String>> compliance,
            double requestsPerSecond)
            implements Serializable {
        public Settings {
            aws = aws == null ? AwsClientSettings.DEFAULTS : aws;
            hubAccountId = hubAccountId == null || hubAccountId.isBlank() ? null : hubAccountId;
            hubRegion = hubRegion == null || hubRegion.isBlank() ? null : hubRegion;
            if (hubAccountId != null && !ACCOUNT_ID.matcher(hubAccountId).matches()) {
                throw new IllegalArgumentException(
                        "sinks.securityhub.hubAccountId: '"
                                + hubAccountId
                                + "' is not a 12-digit account id");
            }
            if (hubRegion != null && !REGION.matcher(hubRegion).matches()) {
                throw new IllegalArgumentException(
                        "sinks.securityhub.hubRegion: '"
                                + hubRegion
                                + "' is not an AWS region like us-east-1");
            }
            if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond)) {
                throw new IllegalArgumentException(
                        "requestsPerSecond must be >= 0: " + requestsPerSecond);
            }
            if (compliance != null) {
                Map<String, List<String>> copy = new LinkedHashMap<>();
                compliance.forEach(
                        (rule, ids) -> copy.put(rule, ids == null ? List.of() : List.copyOf(ids)));
                compliance = Collections.unmodifiableMap(copy);
            }
        }

        /**
         * Default client settings, the caller's account, the client's region, built-in compliance,
         * 10 requests/s.
         */
        public static Settings defaults() {
            return new Settings(
                    AwsClientSettings.DEFAULTS, null, null, null, DEFAULT_REQUESTS_PER_SECOND);
        }

        public Settings withAws(AwsClientSettings a) {
            return new Settings(a, hubAccountId, hubRegion, compliance, requestsPerSecond);
        }

        public Settings withHub(String accountId, String region) {
            return new Settings(aws, accountId, region, compliance, requestsPerSecond);
        }

        public Settings withCompliance(Map<String, List<String>> c) {
            return new Settings(aws, hubAccountId, hubRegion, c, requestsPerSecond);
        }

        public Settings withRequestsPerSecond(double rps) {
            return new Settings(aws, hubAccountId, hubRegion, compliance, rps);
        }

        /**
         * The region findings go to: hubRegion, else the client's configured region (null:
         * unknown).
         */
        String effectiveRegion() {
            return hubRegion != null ? hubRegion : aws.region();
        }
    }

    private final Settings settings;
    private final AsffMapper mapper;

    public SecurityHubTarget(Settings settings) {
        this.settings = settings == null ? Settings.defaults() : settings;
        this.mapper =
                new AsffMapper(
                        this.settings.hubAccountId(),
                        this.settings.effectiveRegion(),
                        this.settings.compliance());
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Limits limits() {
        return new Limits(
                MAX_BATCH_ENTRIES,
                MAX_REQUEST_BYTES - ENVELOPE_HEADROOM,
                AsffMapper.MAX_FINDING_BYTES,
                settings.requestsPerSecond());
    }

    @Override
    public String encode(Finding finding) {
        return mapper.toJson(finding);
    }

    @Override
    public DeliveryClient connect() {
        AwsClientSettings aws =
                settings.hubRegion() != null
                        ? settings.aws().withRegion(settings.hubRegion())
                        : settings.aws();
        return new Client(
                aws.build(SecurityHubClient.builder()),
                new HubAccount(settings.hubAccountId(), aws));
    }

    /**
     * The account findings are imported into: the configured one, else the caller's, asked from STS
     * once.
     */
    static final class HubAccount {
        private final String configured;
        private final AwsClientSettings aws;
        private String caller;

        HubAccount(String configured, AwsClientSettings aws) {
            this.configured = configured;
            this.aws = aws;
        }

        /**
         * @throws RuntimeException when STS fails (an SDK exception, classified by the caller)
         */
        String get() {
            if (configured != null) {
                return configured;
            }
            if (caller == null) {
                String account;
                try (StsClient sts = aws.build(StsClient.builder())) {
                    account = sts.getCallerIdentity().account();
                }
                if (account == null || !ACCOUNT_ID.matcher(account).matches()) {
                    throw new IllegalStateException(
                            "GetCallerIdentity returned the account '" + account + "'");
                }
                caller = account;
            }
            return caller;
        }
    }

    /** Sends batches with one SecurityHubClient. */
    static final class Client implements DeliveryClient {
        private final SecurityHubClient client;
        private final HubAccount hub;
        private final String region;

        Client(SecurityHubClient client, HubAccount hub) {
            this.client = client;
            this.hub = hub;
            this.region = client.serviceClientConfiguration().region().id();
        }

        @Override
        public List<EntryResult> send(List<Delivery> batch) {
            EntryResult[] results = new EntryResult[batch.size()];
            String[] ids = new String[batch.size()];
            Map<String, AwsSecurityFinding> latest = new LinkedHashMap<>();
            for (int i = 0; i < batch.size(); i++) {
                AwsSecurityFinding f;
                try {
                    f = SdkModelConverter.toSecurityFinding(batch.get(i).payload());
                } catch (RuntimeException e) {
                    results[i] = EntryResult.rejected("unreadable ASFF payload: " + e.getMessage());
                    continue;
                }
                ids[i] = f.id();
                latest.merge(f.id(), f, (a, b) -> updatedAt(b).isBefore(updatedAt(a)) ? a : b);
            }
            Map<String, EntryResult> byId = new HashMap<>();
            List<AwsSecurityFinding> findings = List.of();
            try {
                findings = latest.isEmpty() ? findings : inHubAccount(latest.values());
            } catch (RuntimeException e) {
                EntryResult r = ErrorClassifier.classify(e);
                EntryResult failed =
                        new EntryResult(
                                r.status(),
                                "the Security Hub account is unknown: STS"
                                        + " GetCallerIdentity failed: "
                                        + r.error()
                                        + " (sinks.securityhub.hubAccountId or the runtime"
                                        + " property Sinks.securityhub.hub.account.id names it without STS)");
                latest.keySet().forEach(id -> byId.put(id, failed));
            }
            for (int from = 0; from < findings.size(); from += MAX_BATCH_ENTRIES) {
                List<AwsSecurityFinding> chunk =
                        findings.subList(from, Math.min(findings.size(), from + MAX_BATCH_ENTRIES));
                BatchImportFindingsResponse response =
                        client.batchImportFindings(r -> r.findings(chunk));
                chunk.forEach(f -> byId.put(f.id(), EntryResult.DELIVERED));
                response.failedFindings().forEach(e -> byId.put(e.id(), classify(e)));
            }
            for (int i = 0; i < results.length; i++) {
                if (results[i] == null) {
                    results[i] = byId.getOrDefault(ids[i], EntryResult.DELIVERED);
                }
            }
            return Arrays.asList(results);
        }

        /**
         * The findings with the hub account's AwsAccountId and ProductArn (in this client's
         * region).
         */
        private List<AwsSecurityFinding> inHubAccount(Collection<AwsSecurityFinding> findings) {
            String account = hub.get();
            String productArn = AsffMapper.productArn(region, account);
            List<AwsSecurityFinding> out = new ArrayList<>();
            for (AwsSecurityFinding f : findings) {
                out.add(
                        account.equals(f.awsAccountId()) && productArn.equals(f.productArn())
                                ? f
                                : f.toBuilder()
                                        .awsAccountId(account)
                                        .productArn(productArn)
                                        .relatedFindings(inProduct(f, productArn))
                                        .build());
            }
            return out;
        }

        /** An incident's members live under the same product as the incident (null: none). */
        private static List<RelatedFinding> inProduct(AwsSecurityFinding f, String productArn) {
            return f.hasRelatedFindings()
                    ? f.relatedFindings().stream()
                            .map(r -> r.toBuilder().productArn(productArn).build())
                            .toList()
                    : null;
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** One FailedFindings entry: throttling and internal errors are retried, the rest is final. */
    static EntryResult classify(ImportFindingsError e) {
        String code = e.errorCode() == null ? "" : e.errorCode();
        String message =
                "Security Hub "
                        + (code.isEmpty() ? "error" : code)
                        + (e.errorMessage() == null ? "" : ": " + e.errorMessage());
        return TRANSIENT_CODES.matcher(code).matches()
                ? EntryResult.retry(message)
                : EntryResult.rejected(message);
    }

    private static Instant updatedAt(AwsSecurityFinding f) {
        try {
            return Instant.parse(f.updatedAt());
        } catch (RuntimeException e) {
            return Instant.MIN;
        }
    }
}
