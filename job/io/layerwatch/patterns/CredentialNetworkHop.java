package io.layerwatch.patterns;

import io.layerwatch.config.Allowlist;
import io.layerwatch.config.ParamType;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.JoinedKeys;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;

/**
 * {@code credential-network-hop}: the same access key used from a trusted network, then within the
 * window from an untrusted one: a stolen session or credentials replayed elsewhere. Keyed by
 * principal and access key. Inactive without trusted networks.
 */
public final class CredentialNetworkHop implements CepRule {
    private static final long serialVersionUID = 1L;
    public static final String ID = RuleCatalog.CREDENTIAL_NETWORK_HOP;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean active(RulesConfig config) {
        return config.enabled(ID) && config.rule(ID).allowlist().hasTrustedNetworks();
    }

    @Override
    public boolean relevant(EcrEvent e, RulesConfig config) {
        return e.isEcrApiCall()
                && e.principal().accessKeyId() != null
                && config.rule(ID).allowlist().network(e) != Allowlist.Network.UNKNOWN;
    }

    @Override
    public String key(EcrEvent e) {
        return JoinedKeys.join(e.principal().arn(), "|", e.principal().accessKeyId());
    }

    @Override
    public Pattern<EcrEvent, ?> pattern(RulesConfig config) {
        RuleSettings s = config.rule(ID);
        Allowlist allow = s.allowlist();
        return Pattern.<EcrEvent>begin("trusted", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(trusted(allow)::test))
                .followedBy("untrusted")
                .where(SimpleCondition.of(untrusted(allow)::test))
                .within(s.duration("window"));
    }

    @Override
    public MatchLogic matchLogic(RulesConfig config) {
        RuleSettings s = config.rule(ID);
        return new FollowedBy(
                "trusted",
                trusted(s.allowlist()),
                "untrusted",
                untrusted(s.allowlist()),
                s.duration("window").toMillis());
    }

    private static FollowedBy.Condition trusted(Allowlist allow) {
        return e -> allow.network(e) == Allowlist.Network.TRUSTED;
    }

    private static FollowedBy.Condition untrusted(Allowlist allow) {
        return e -> allow.network(e) == Allowlist.Network.UNTRUSTED;
    }

    @Override
    public Finding toFinding(Map<String, List<EcrEvent>> match, RuleSettings settings) {
        EcrEvent trusted = match.get("trusted").get(0);
        EcrEvent untrusted = match.get("untrusted").get(0);
        Duration between = Duration.ofMillis(untrusted.eventTime() - trusted.eventTime());
        String from =
                trusted.vpcEndpointId() != null ? trusted.vpcEndpointId() : trusted.sourceIp();
        return FindingBuilder.of(settings)
                .event(trusted)
                .event(untrusted)
                .subject(untrusted)
                .key(trusted.principal().accessKeyId())
                .title(
                        "Access key "
                                + trusted.principal().accessKeyId()
                                + " moved from a trusted to an untrusted network")
                .description(
                        "Credentials of "
                                + trusted.principal().arn()
                                + " (access key "
                                + trusted.principal().accessKeyId()
                                + ") were used from trusted "
                                + from
                                + " and "
                                + ParamType.format(between)
                                + " later from untrusted "
                                + untrusted.sourceIp()
                                + ". Stolen session credentials or presigned URLs used outside your network.")
                .detail("trustedOrigin", from)
                .detail("untrustedSourceIp", untrusted.sourceIp())
                .detail("secondsBetween", between.toSeconds())
                .detail("sessionName", untrusted.principal().sessionName())
                .build();
    }

    @Override
    public Duration foldGap(RuleSettings settings) {
        return settings.duration("window");
    }
}
