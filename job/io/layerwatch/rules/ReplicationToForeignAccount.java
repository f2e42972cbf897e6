package io.layerwatch.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.util.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code replication-to-foreign-account}: a successful PutReplicationConfiguration with a
 * destination registry outside the trusted accounts. Every image pushed afterwards is copied there.
 */
public final class ReplicationToForeignAccount implements SingleEventRule {
    public static final String ID = RuleCatalog.REPLICATION_TO_FOREIGN_ACCOUNT;
    public static final String API = "PutReplicationConfiguration";

    /** One replication destination as the request names it. */
    record Destination(String region, String registryId) {
        Map<String, Object> toDetail() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("region", region);
            m.put("registryId", registryId);
            return m;
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean applies(EcrEvent e, RuleSettings settings) {
        return e.is(API) && !e.failed();
    }

    @Override
    public Optional<Finding> evaluate(EcrEvent e, RuleSettings settings) {
        if (!applies(e, settings)) {
            return Optional.empty();
        }
        List<Destination> destinations = destinations(e);
        Set<String> foreign = new LinkedHashSet<>();
        for (Destination d : destinations) {
            if (d.registryId() != null && !settings.allowlist().trustedAccount(d.registryId(), e)) {
                foreign.add(d.registryId());
            }
        }
        if (foreign.isEmpty()) {
            return Optional.empty();
        }
        String accounts = String.join(", ", foreign);
        return Optional.of(
                FindingBuilder.of(settings)
                        .event(e)
                        .title(
                                "ECR registry "
                                        + e.registryKey()
                                        + " replicates to foreign account "
                                        + accounts)
                        .description(
                                e.principal().type()
                                        + " "
                                        + e.principal().arn()
                                        + " configured replication of registry "
                                        + e.registryKey()
                                        + " from "
                                        + e.sourceIp()
                                        + " to account(s) "
                                        + accounts
                                        + " outside the trusted accounts. Every image pushed from now on is copied there.")
                        .key(e.registryKey())
                        .detail(
                                "destinations",
                                destinations.stream().map(Destination::toDetail).toList())
                        .detail("foreignAccounts", List.copyOf(foreign))
                        .build());
    }

    /** requestParameters.replicationConfiguration.rules[].destinations[], without repeats. */
    static List<Destination> destinations(EcrEvent e) {
        JsonNode raw = Json.tree(e.raw());
        Set<Destination> out = new LinkedHashSet<>();
        if (raw == null) {
            return List.of();
        }
        for (JsonNode rule :
                raw.path("requestParameters").path("replicationConfiguration").path("rules")) {
            for (JsonNode d : rule.path("destinations")) {
                out.add(new Destination(text(d, "region"), text(d, "registryId")));
            }
        }
        return new ArrayList<>(out);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }
}
