package io.layerwatch.sinks.securityhub;

import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.Delivery;
import io.layerwatch.sinks.delivery.DeliveryClient;
import io.layerwatch.sinks.delivery.FindingTarget;
import io.layerwatch.sinks.delivery.EntryResult;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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

/**
 * Imports findings into AWS Security Hub with BatchImportFindings, as ASFF (see {@link AsffMapper}).
 * Each finding is encoded once; send() parses the payloads into the SDK model (the request body is
 * the encoded JSON) and maps FailedFindings to per-entry results: invalid input or access is final,
 * throttling and internal errors are retried. A finding id that occurs twice in one batch (two
 * versions of a folded episode) is sent once, in its latest version; both entries share its result.
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

    /** FailedFindings error codes worth retrying; any other code (InvalidInput, InvalidAccess, ...) is final. */
    private static final Pattern TRANSIENT_CODES = Pattern.compile(
            "(?i).*(throttl|limitexceeded|toomanyrequests|internal|unavailable|timeout).*");

    /**
     * @param aws client settings (region, endpoint, timeouts)
     * @param hubAccountId the account findings are imported into (AwsAccountId and ProductArn); null: each
     *     finding's own account. With the default product ARN Security Hub accepts a finding only from the
     *     account named in AwsAccountId, so a central deployment sets this to its own account.
     * @param hubRegion the Security Hub region (client and ProductArn); null: aws.region, else each
     *     finding's own region
     * @param compliance Compliance.RelatedRequirements per rule id, replacing the built-in mapping
     *     ({@link AsffMapper#defaultCompliance()}); null: built-in
     * @param requestsPerSecond pacing of BatchImportFindings calls; 0 for none
     */
    public record Settings(AwsClientSettings aws, String hubAccountId, String hubRegion,
            Map<String, List<String>> compliance, double requestsPerSecond) implements Serializable {
        public Settings {
            aws = aws == null ? AwsClientSettings.DEFAULTS : aws;
            hubAccountId = hubAccountId == null || hubAccountId.isBlank() ? null : hubAccountId;
            hubRegion = hubRegion == null || hubRegion.isBlank() ? null : hubRegion;
            if (hubAccountId != null && !hubAccountId.matches("\\d{12}")) {
                throw new IllegalArgumentException("hubAccountId must be a 12-digit account id: " + hubAccountId);
            }
            if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond)) {
                throw new IllegalArgumentException("requestsPerSecond must be >= 0: " + requestsPerSecond);
            }
            if (compliance != null) {
                Map<String, List<String>> copy = new LinkedHashMap<>();
                compliance.forEach((rule, ids) -> copy.put(rule, ids == null ? List.of() : List.copyOf(ids)));
                compliance = Collections.unmodifiableMap(copy);
            }
        }

        /** Default client settings, each finding's own account and region, built-in compliance, 10 requests/s. */
        public static Settings defaults() {
            return new Settings(AwsClientSettings.DEFAULTS, null, null, null, DEFAULT_REQUESTS_PER_SECOND);
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

        /** The region findings go to: hubRegion, else the client's configured region (null: unknown). */
        String effectiveRegion() {
            return hubRegion != null ? hubRegion : aws.region();
        }
    }

    private final Settings settings;
    private final AsffMapper mapper;

    public SecurityHubTarget(Settings settings) {
        this.settings = settings == null ? Settings.defaults() : settings;
        this.mapper = new AsffMapper(this.settings.hubAccountId(), this.settings.effectiveRegion(),
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
        return new Limits(MAX_BATCH_ENTRIES, MAX_REQUEST_BYTES - ENVELOPE_HEADROOM, AsffMapper.MAX_FINDING_BYTES,
                settings.requestsPerSecond());
    }

    @Override
    public String encode(Finding finding) {
        return mapper.toJson(finding);
    }

    @Override
    public DeliveryClient connect() {
        AwsClientSettings aws = settings.hubRegion() != null ? settings.aws().withRegion(settings.hubRegion())
                : settings.aws();
        return new Client(aws.build(SecurityHubClient.builder()));
    }

    /** Sends batches with one SecurityHubClient. */
    static final class Client implements DeliveryClient {
        private final SecurityHubClient client;

        Client(SecurityHubClient client) {
            this.client = client;
        }

        @Override
        public List<EntryResult> send(List<Delivery> batch) {
            EntryResult[] results = new EntryResult[batch.size()];
            String[] ids = new String[batch.size()];
            Map<String, AwsSecurityFinding> latest = new LinkedHashMap<>();
            for (int i = 0; i < batch.size(); i++) {
                AwsSecurityFinding f;
                try {
                    f = AsffMapper.toSdk(batch.get(i).payload());
                } catch (RuntimeException e) {
                    results[i] = EntryResult.rejected("unreadable ASFF payload: " + e.getMessage());
                    continue;
                }
                ids[i] = f.id();
                latest.merge(f.id(), f, (a, b) -> updatedAt(b).isBefore(updatedAt(a)) ? a : b);
            }
            Map<String, EntryResult> byId = new HashMap<>();
            List<AwsSecurityFinding> findings = new ArrayList<>(latest.values());
            for (int from = 0; from < findings.size(); from += MAX_BATCH_ENTRIES) {
                List<AwsSecurityFinding> chunk = findings.subList(from, Math.min(findings.size(), from + MAX_BATCH_ENTRIES));
                BatchImportFindingsResponse response = client.batchImportFindings(r -> r.findings(chunk));
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

        @Override
        public void close() {
            client.close();
        }
    }

    /** One FailedFindings entry: throttling and internal errors are retried, the rest is final. */
    static EntryResult classify(ImportFindingsError e) {
        String code = e.errorCode() == null ? "" : e.errorCode();
        String message = "Security Hub " + (code.isEmpty() ? "error" : code)
                + (e.errorMessage() == null ? "" : ": " + e.errorMessage());
        return TRANSIENT_CODES.matcher(code).matches() ? EntryResult.retry(message) : EntryResult.rejected(message);
    }

    private static Instant updatedAt(AwsSecurityFinding f) {
        try {
            return Instant.parse(f.updatedAt());
        } catch (RuntimeException e) {
            return Instant.MIN;
        }
    }
}
