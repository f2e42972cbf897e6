package io.layerwatch.cli;

import io.layerwatch.config.Allowlist;
import io.layerwatch.config.ParamType;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.patterns.CredentialNetworkHop;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "rules", mixinStandardHelpOptions = true,
        description = "List the rules: id, severity, enabled, key parameters and what is inactive.")
final class RulesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RulesOption rules;

    @Override
    public Integer call() {
        RulesConfig config = rules.load();
        PrintWriter out = spec.commandLine().getOut();
        out.println("rules from " + config.source());
        out.printf("%-32s %-14s %-8s %s%n", "RULE", "SEVERITY", "ENABLED", "PARAMETERS");
        for (String id : RuleCatalog.ids()) {
            RuleSettings s = config.rule(id);
            List<String> params = new ArrayList<>();
            for (Map.Entry<String, java.io.Serializable> p : s.params().entrySet()) {
                params.add(p.getKey() + "=" + ParamType.format(p.getValue()));
            }
            out.printf("%-32s %-14s %-8s %s%n", id, s.severity(), s.enabled() ? "yes" : "no", String.join(" ", params));
        }
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
            notes.add("no trustedCidrs/trustedVpcEndpoints: the network half of untrusted-network is inactive "
                    + "(the foreign-account half works)");
        }
        if (!new CredentialNetworkHop().active(config) && config.enabled(RuleCatalog.CREDENTIAL_NETWORK_HOP)) {
            notes.add("no trustedCidrs/trustedVpcEndpoints: credential-network-hop is inactive");
        }
        if (config.enabled(RuleCatalog.REGISTRY_NOT_ASSESSED)
                && config.rule(RuleCatalog.REGISTRY_NOT_ASSESSED).strings("registries").isEmpty()) {
            notes.add("no registries: registry-not-assessed is inactive (list the ACCOUNT:REGION registries that must "
                    + "be enrolled in image assessment)");
        }
        if (config.globalAllowlist().organizationId() == null && config.globalAllowlist().trustedAccounts().isEmpty()) {
            notes.add("no organizationId/trustedAccounts: the organization is each event's own account");
        }
        return notes;
    }
}
