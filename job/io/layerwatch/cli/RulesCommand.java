package io.layerwatch.cli;

import io.layerwatch.config.Allowlist;
import io.layerwatch.config.AttackTechnique;
import io.layerwatch.config.IncidentSettings;
import io.layerwatch.config.ParamType;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.patterns.CredentialNetworkHop;
import java.io.PrintWriter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "rules",
        mixinStandardHelpOptions = true,
        description =
                "List the rules: id, severity, enabled, ATT&CK techniques, key parameters and what is inactive.")
final class RulesCommand implements Callable<Integer> {
    private static final String ROW = "%-32s %-14s %-8s %-20s %s%n";

    @Spec CommandSpec spec;

    @Mixin RulesOption rules;

    @Override
    public Integer call() {
        RulesConfig config = rules.load();
        PrintWriter out = spec.commandLine().getOut();
        out.println("rules from " + config.source());
        out.printf(ROW, "RULE", "SEVERITY", "ENABLED", "ATT&CK", "PARAMETERS");
        Map<String, AttackTechnique> techniques = new LinkedHashMap<>();
        for (RuleCatalog.Rule rule : RuleCatalog.rules()) {
            RuleSettings s = config.rule(rule.id());
            List<String> params = new ArrayList<>();
            for (Map.Entry<String, Serializable> p : s.params().entrySet()) {
                params.add(p.getKey() + "=" + ParamType.format(p.getValue()));
            }
            if (rule.id().equals(RuleCatalog.ATTACK_SEQUENCE)) {
                IncidentSettings i = config.incident();
                params.add(
                        "incident: window="
                                + ParamType.format(i.window())
                                + " minRules="
                                + i.minRules()
                                + " minSeverity="
                                + i.minSeverity()
                                + " raise="
                                + i.exposure()
                                + "+"
                                + i.evasionOrImpact());
            }
            List<String> ids = new ArrayList<>();
            rule.attack()
                    .forEach(
                            t -> {
                                ids.add(t.technique());
                                techniques.putIfAbsent(t.technique(), t);
                            });
            out.printf(
                    ROW,
                    rule.id(),
                    s.severity(),
                    s.enabled() ? "yes" : "no",
                    String.join(",", ids),
                    String.join(" ", params));
        }
        out.println("ATT&CK " + AttackTechnique.ATTACK_VERSION + " techniques:");
        techniques
                .values()
                .forEach(
                        t ->
                                out.printf(
                                        "  %-10s %s (%s %s)%n",
                                        t.technique(), t.name(), t.tactic(), t.tacticName()));
        for (String note : notes(config)) {
            out.println("note: " + note);
        }
        return 0;
    }

    /** What the configuration leaves inactive, so nobody trusts a detection that cannot fire. */
    static List<String> notes(RulesConfig config) {
        List<String> notes = new ArrayList<>();
        Allowlist network = config.rule(RuleCatalog.UNTRUSTED_NETWORK).allowlist();
        if (!network.hasTrustedNetworks()) {
            notes.add(
                    "no trustedCidrs/trustedVpcEndpoints: the network half of untrusted-network is inactive "
                            + "(the foreign-account half works)");
        }
        if (!new CredentialNetworkHop().active(config)
                && config.enabled(RuleCatalog.CREDENTIAL_NETWORK_HOP)) {
            notes.add("no trustedCidrs/trustedVpcEndpoints: credential-network-hop is inactive");
        }
        if (config.enabled(RuleCatalog.REGISTRY_NOT_ASSESSED)
                && config.rule(RuleCatalog.REGISTRY_NOT_ASSESSED).strings("registries").isEmpty()) {
            notes.add(
                    "no registries: registry-not-assessed is inactive (list the ACCOUNT:REGION registries that must "
                            + "be enrolled in image assessment)");
        }
        if (config.globalAllowlist().organizationId() == null
                && config.globalAllowlist().trustedAccounts().isEmpty()) {
            notes.add(
                    "no organizationId/trustedAccounts: the organization is each event's own account");
        }
        return notes;
    }
}
