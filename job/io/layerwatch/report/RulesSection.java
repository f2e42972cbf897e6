package io.layerwatch.report;

import static io.layerwatch.report.Html.esc;

import io.layerwatch.config.Allowlist;
import io.layerwatch.config.ParamType;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The effective rules the replay ran with: event time, global allowlist, each rule's settings. */
final class RulesSection {
    private RulesSection() {}

    static void render(StringBuilder h, RulesConfig config) {
        h.append("<p>Rules from <code>")
                .append(esc(config.source()))
                .append("</code>. Event time: out-of-order bound <code>")
                .append(esc(ParamType.format(config.maxOutOfOrderness())))
                .append("</code>, idleness <code>")
                .append(esc(ParamType.format(config.idleness())))
                .append("</code>.</p>");
        h.append("<h3>Global allowlist</h3>");
        Map<String, List<String>> global = entries(config.globalAllowlist(), Allowlist.empty());
        if (global.isEmpty()) {
            h.append("<p class=\"note\">Empty.</p>");
        } else {
            h.append("<table class=\"kv\"><tbody>");
            global.forEach(
                    (k, v) ->
                            h.append("<tr><th scope=\"row\">")
                                    .append(esc(k))
                                    .append("</th><td>")
                                    .append(values(v))
                                    .append("</td></tr>"));
            h.append("</tbody></table>");
        }
        h.append(
                "<h3>Rules</h3><table><thead><tr><th>Rule</th><th>Enabled</th><th>Severity</th><th>ATT&amp;CK</th>"
                        + "<th>Parameters</th><th>Own allowlist (besides the global one)</th></tr></thead><tbody>");
        for (RuleCatalog.Rule rule : RuleCatalog.rules()) {
            RuleSettings s = config.rule(rule.id());
            h.append("<tr")
                    .append(s.enabled() ? "" : " class=\"off\"")
                    .append("><td><code>")
                    .append(esc(s.ruleId()))
                    .append("</code></td><td>")
                    .append(s.enabled() ? "yes" : "no")
                    .append("</td><td>")
                    .append(BacktestReport.severity(s.severity().name()))
                    .append("</td><td>");
            rule.attack().forEach(t -> h.append("<div>").append(esc(t.label())).append("</div>"));
            h.append("</td><td>");
            List<String> params = new ArrayList<>();
            for (Map.Entry<String, Serializable> p : s.params().entrySet()) {
                params.add(p.getKey() + ": " + ParamType.format(p.getValue()));
            }
            h.append(params.isEmpty() ? "<span class=\"note\">\u2014</span>" : values(params))
                    .append("</td><td>");
            Map<String, List<String>> own = entries(s.allowlist(), config.globalAllowlist());
            if (own.isEmpty()) {
                h.append("<span class=\"note\">\u2014</span>");
            }
            own.forEach(
                    (k, v) ->
                            h.append("<div><span class=\"note\">")
                                    .append(esc(k))
                                    .append(":</span> ")
                                    .append(values(v))
                                    .append("</div>"));
            h.append("</td></tr>");
        }
        h.append("</tbody></table>");
    }

    /** The allowlist's entries by YAML key, leaving out what {@code minus} already has. */
    static Map<String, List<String>> entries(Allowlist a, Allowlist minus) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        put(out, Allowlist.PRINCIPALS, a.principals(), minus.principals());
        put(out, Allowlist.REPOSITORIES, a.repositories(), minus.repositories());
        put(out, Allowlist.TRUSTED_CIDRS, a.trustedCidrs(), minus.trustedCidrs());
        put(
                out,
                Allowlist.TRUSTED_VPC_ENDPOINTS,
                a.trustedVpcEndpoints(),
                minus.trustedVpcEndpoints());
        put(out, Allowlist.TRUSTED_ACCOUNTS, a.trustedAccounts(), minus.trustedAccounts());
        if (a.organizationId() != null && !a.organizationId().equals(minus.organizationId())) {
            out.put(Allowlist.ORGANIZATION_ID, List.of(a.organizationId()));
        }
        return out;
    }

    private static void put(
            Map<String, List<String>> out, String key, Iterable<?> values, Iterable<?> minus) {
        List<String> drop = new ArrayList<>();
        minus.forEach(v -> drop.add(String.valueOf(v)));
        List<String> keep = new ArrayList<>();
        for (Object v : values) {
            String s = String.valueOf(v);
            if (!drop.remove(s)) {
                keep.add(s);
            }
        }
        if (!keep.isEmpty()) {
            keep.sort(null);
            out.put(key, keep);
        }
    }

    private static String values(List<String> values) {
        StringBuilder out = new StringBuilder();
        for (String v : values) {
            out.append("<code class=\"chip\">").append(esc(v)).append("</code> ");
        }
        return out.toString().strip();
    }
}
