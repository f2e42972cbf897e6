package io.layerwatch.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.util.Json;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who and what is trusted: principal ARN globs, repository globs, networks (CIDRs, VPC endpoints),
 * the organization and its member accounts. The global allowlist and a rule's own are merged.
 */
public final class Allowlist implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The YAML keys of an allowlist mapping. */
    public static final String PRINCIPALS = "principals";

    public static final String REPOSITORIES = "repositories";
    public static final String TRUSTED_CIDRS = "trustedCidrs";
    public static final String TRUSTED_VPC_ENDPOINTS = "trustedVpcEndpoints";
    public static final String TRUSTED_CIDRS_ANY_ENDPOINT = "trustedCidrsAnyEndpoint";
    public static final String TRUSTED_ACCOUNTS = "trustedAccounts";
    public static final String ORGANIZATION_ID = "organizationId";

    /** The CloudTrail record member naming the account that owns the VPC endpoint of the call. */
    static final String VPC_ENDPOINT_ACCOUNT_ID = "vpcEndpointAccountId";

    /** Network verdict for an event's origin. */
    public enum Network {
        TRUSTED,
        UNTRUSTED,
        UNKNOWN
    }

    private final List<Glob> principals;
    private final List<Glob> repositories;
    private final List<Cidr> trustedCidrs;

    /** CIDRs trusted also through a VPC endpoint that is neither trusted nor the organization's. */
    private final List<Cidr> trustedCidrsAnyEndpoint;

    private final Set<String> trustedVpcEndpoints;
    private final Set<String> trustedAccounts;
    private final String organizationId;
    private static final int MAX_VERDICTS = 100_000;
    private transient Map<String, Boolean> principalVerdicts;
    private transient Map<String, Boolean> repositoryVerdicts;

    /** Source address -> what the CIDRs alone say of it. */
    private transient Map<String, Address> addressVerdicts;

    /**
     * VPC endpoint id -> the account that owns it, as CloudTrail records it (fixed for an
     * endpoint).
     */
    private transient Map<String, String> endpointOwners;

    /** A source address by the CIDRs alone. */
    private enum Address {
        NOT_AN_ADDRESS,
        OUTSIDE,
        IN_TRUSTED_CIDR,
        IN_ANY_ENDPOINT_CIDR
    }

    public Allowlist(
            List<Glob> principals,
            List<Glob> repositories,
            List<Cidr> trustedCidrs,
            Set<String> trustedVpcEndpoints,
            Set<String> trustedAccounts,
            String organizationId) {
        this(
                principals,
                repositories,
                trustedCidrs,
                List.of(),
                trustedVpcEndpoints,
                trustedAccounts,
                organizationId);
    }

    public Allowlist(
            List<Glob> principals,
            List<Glob> repositories,
            List<Cidr> trustedCidrs,
            List<Cidr> trustedCidrsAnyEndpoint,
            Set<String> trustedVpcEndpoints,
            Set<String> trustedAccounts,
            String organizationId) {
        this.principals = List.copyOf(principals);
        this.repositories = List.copyOf(repositories);
        this.trustedCidrs = List.copyOf(trustedCidrs);
        this.trustedCidrsAnyEndpoint = List.copyOf(trustedCidrsAnyEndpoint);
        this.trustedVpcEndpoints = Set.copyOf(trustedVpcEndpoints);
        this.trustedAccounts = Set.copyOf(trustedAccounts);
        this.organizationId = organizationId;
    }

    public static Allowlist empty() {
        return new Allowlist(List.of(), List.of(), List.of(), Set.of(), Set.of(), null);
    }

    public Allowlist merge(Allowlist other) {
        return new Allowlist(
                concat(principals, other.principals),
                concat(repositories, other.repositories),
                concat(trustedCidrs, other.trustedCidrs),
                concat(trustedCidrsAnyEndpoint, other.trustedCidrsAnyEndpoint),
                union(trustedVpcEndpoints, other.trustedVpcEndpoints),
                union(trustedAccounts, other.trustedAccounts),
                other.organizationId != null ? other.organizationId : organizationId);
    }

    /** The principal (role ARN or session ARN) or the repository is on the allowlist. */
    public boolean covers(EcrEvent e) {
        return principalAllowed(e.principal().arn())
                || principalAllowed(e.principal().sessionArn())
                || repositoryAllowed(e.repositoryName());
    }

    public boolean principalAllowed(String arn) {
        if (arn == null || principals.isEmpty()) {
            return false;
        }
        if (principalVerdicts == null) {
            principalVerdicts = new ConcurrentHashMap<>();
        }
        return verdict(principalVerdicts, principals, arn);
    }

    public boolean repositoryAllowed(String name) {
        if (name == null || repositories.isEmpty()) {
            return false;
        }
        if (repositoryVerdicts == null) {
            repositoryVerdicts = new ConcurrentHashMap<>();
        }
        return verdict(repositoryVerdicts, repositories, name);
    }

    /** Remembered per value: every event asks, per rule. */
    private static boolean verdict(Map<String, Boolean> verdicts, List<Glob> globs, String value) {
        Boolean known = verdicts.get(value);
        if (known != null) {
            return known;
        }
        boolean allowed = false;
        for (Glob g : globs) {
            allowed |= g.matches(value);
        }
        if (verdicts.size() >= MAX_VERDICTS) {
            verdicts.clear();
        }
        verdicts.put(value, allowed);
        return allowed;
    }

    /** Whether any trusted network is configured; without one, network verdicts are UNKNOWN. */
    public boolean hasTrustedNetworks() {
        return !trustedCidrs.isEmpty()
                || !trustedCidrsAnyEndpoint.isEmpty()
                || !trustedVpcEndpoints.isEmpty();
    }

    /**
     * Where the call came from. A call through a VPC endpoint carries the caller's private address,
     * and private ranges are not unique: through an endpoint that is not trusted, {@code
     * trustedCidrs} count only when the endpoint belongs to the organization (its {@code
     * vpcEndpointAccountId} is a trusted account); {@code trustedCidrsAnyEndpoint} count through
     * any endpoint.
     */
    public Network network(EcrEvent e) {
        String endpoint = e.vpcEndpointId();
        if (endpoint != null && trustedVpcEndpoints.contains(endpoint)) {
            return Network.TRUSTED;
        }
        String ip = e.sourceIp();
        if (!hasTrustedNetworks() || e.principal().isAwsService() || ip == null) {
            return Network.UNKNOWN;
        }
        return switch (address(ip)) {
            case NOT_AN_ADDRESS -> Network.UNKNOWN;
            case OUTSIDE -> Network.UNTRUSTED;
            case IN_ANY_ENDPOINT_CIDR -> Network.TRUSTED;
            case IN_TRUSTED_CIDR ->
                    endpoint == null || trustedAccount(endpointOwner(e), e)
                            ? Network.TRUSTED
                            : Network.UNTRUSTED;
        };
    }

    private Address address(String ip) {
        if (addressVerdicts == null) {
            addressVerdicts = new ConcurrentHashMap<>();
        }
        Address known = addressVerdicts.get(ip);
        if (known == null) {
            known =
                    !Cidr.isIpAddress(ip)
                            ? Address.NOT_AN_ADDRESS
                            : contains(trustedCidrsAnyEndpoint, ip)
                                    ? Address.IN_ANY_ENDPOINT_CIDR
                                    : contains(trustedCidrs, ip)
                                            ? Address.IN_TRUSTED_CIDR
                                            : Address.OUTSIDE;
            if (addressVerdicts.size() >= MAX_VERDICTS) {
                addressVerdicts.clear();
            }
            addressVerdicts.put(ip, known);
        }
        return known;
    }

    private static boolean contains(List<Cidr> cidrs, String ip) {
        for (Cidr c : cidrs) {
            if (c.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The record's {@code vpcEndpointAccountId} (read from the raw record: rare, remembered per
     * endpoint).
     */
    private String endpointOwner(EcrEvent e) {
        if (endpointOwners == null) {
            endpointOwners = new ConcurrentHashMap<>();
        }
        String owner = endpointOwners.get(e.vpcEndpointId());
        if (owner == null && e.rawJson() != null) {
            JsonNode raw = Json.tree(e.raw());
            JsonNode v = raw == null ? null : raw.get(VPC_ENDPOINT_ACCOUNT_ID);
            owner = v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
            if (owner != null) {
                if (endpointOwners.size() >= MAX_VERDICTS) {
                    endpointOwners.clear();
                }
                endpointOwners.put(e.vpcEndpointId(), owner);
            }
        }
        return owner;
    }

    /** The organization: the event's own account plus configured member accounts. */
    public boolean trustedAccount(String accountId, EcrEvent context) {
        return accountId != null
                && (accountId.equals(context.accountId()) || trustedAccounts.contains(accountId));
    }

    public String organizationId() {
        return organizationId;
    }

    public Set<String> trustedAccounts() {
        return trustedAccounts;
    }

    public Set<String> trustedVpcEndpoints() {
        return trustedVpcEndpoints;
    }

    public List<Cidr> trustedCidrs() {
        return trustedCidrs;
    }

    public List<Cidr> trustedCidrsAnyEndpoint() {
        return trustedCidrsAnyEndpoint;
    }

    public List<Glob> principals() {
        return principals;
    }

    public List<Glob> repositories() {
        return repositories;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.addAll(b);
        return out;
    }
}
