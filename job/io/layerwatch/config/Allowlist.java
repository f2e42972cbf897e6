package io.layerwatch.config;

import io.layerwatch.event.EcrEvent;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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
    public static final String TRUSTED_ACCOUNTS = "trustedAccounts";
    public static final String ORGANIZATION_ID = "organizationId";

    /** Network verdict for an event's origin. */
    public enum Network { TRUSTED, UNTRUSTED, UNKNOWN }

    private final List<Glob> principals;
    private final List<Glob> repositories;
    private final List<Cidr> trustedCidrs;
    private final Set<String> trustedVpcEndpoints;
    private final Set<String> trustedAccounts;
    private final String organizationId;
    private static final int MAX_VERDICTS = 100_000;
    private transient Map<String, Boolean> principalVerdicts;
    private transient Map<String, Boolean> repositoryVerdicts;
    /** Source address -> network by the CIDRs alone (UNKNOWN: not an address). */
    private transient Map<String, Network> addressVerdicts;

    public Allowlist(List<Glob> principals, List<Glob> repositories, List<Cidr> trustedCidrs,
            Set<String> trustedVpcEndpoints, Set<String> trustedAccounts, String organizationId) {
        this.principals = List.copyOf(principals);
        this.repositories = List.copyOf(repositories);
        this.trustedCidrs = List.copyOf(trustedCidrs);
        this.trustedVpcEndpoints = Set.copyOf(trustedVpcEndpoints);
        this.trustedAccounts = Set.copyOf(trustedAccounts);
        this.organizationId = organizationId;
    }

    public static Allowlist empty() {
        return new Allowlist(List.of(), List.of(), List.of(), Set.of(), Set.of(), null);
    }

    public Allowlist merge(Allowlist other) {
        return new Allowlist(concat(principals, other.principals), concat(repositories, other.repositories),
                concat(trustedCidrs, other.trustedCidrs), union(trustedVpcEndpoints, other.trustedVpcEndpoints),
                union(trustedAccounts, other.trustedAccounts),
                other.organizationId != null ? other.organizationId : organizationId);
    }

    /** The principal (role ARN or session ARN) or the repository is on the allowlist. */
    public boolean covers(EcrEvent e) {
        return principalAllowed(e.principal().arn()) || principalAllowed(e.principal().sessionArn())
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

    /** Glob matching is regular-expression matching: remembered per value (every event asks, per rule). */
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
        return !trustedCidrs.isEmpty() || !trustedVpcEndpoints.isEmpty();
    }

    public Network network(EcrEvent e) {
        if (e.vpcEndpointId() != null && trustedVpcEndpoints.contains(e.vpcEndpointId())) {
            return Network.TRUSTED;
        }
        String ip = e.sourceIp();
        if (!hasTrustedNetworks() || e.principal().isAwsService() || ip == null) {
            return Network.UNKNOWN;
        }
        if (addressVerdicts == null) {
            addressVerdicts = new ConcurrentHashMap<>();
        }
        Network known = addressVerdicts.get(ip);
        if (known == null) {
            known = !Cidr.isIpAddress(ip) ? Network.UNKNOWN : Network.UNTRUSTED;
            for (int i = 0; known == Network.UNTRUSTED && i < trustedCidrs.size(); i++) {
                if (trustedCidrs.get(i).contains(ip)) {
                    known = Network.TRUSTED;
                }
            }
            if (addressVerdicts.size() >= MAX_VERDICTS) {
                addressVerdicts.clear();
            }
            addressVerdicts.put(ip, known);
        }
        return known;
    }

    /** The organization: the event's own account plus configured member accounts. */
    public boolean trustedAccount(String accountId, EcrEvent context) {
        return accountId != null && (accountId.equals(context.accountId()) || trustedAccounts.contains(accountId));
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
