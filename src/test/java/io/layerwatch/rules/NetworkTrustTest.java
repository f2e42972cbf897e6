package io.layerwatch.rules;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.FOREIGN_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.TRUSTED_ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.config.Allowlist;
import io.layerwatch.config.ConfigException;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.testing.CloudTrailRecords;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The attack: private addresses are not unique, so a pull through someone else's VPC endpoint
 * carries an address inside a trusted private CIDR. It must not be trusted by that CIDR.
 */
public class NetworkTrustTest {

    static final String CORP_VPCE = "vpce-0c0a0b0c0d0e0f001";
    public static final String ATTACKER_VPCE = "vpce-0a77ac4e50000ffff";
    static final String CORP =
            """
            allowlist:
              trustedCidrs: [10.0.0.0/8]
              trustedVpcEndpoints: [%s]
              trustedAccounts: ["%s"]
            """
                    .formatted(CORP_VPCE, TRUSTED_ACCOUNT);
    public static final RulesConfig CONFIG = RulesConfigLoader.fromYaml(CORP, "corp.yaml");

    public static CloudTrailRecords.Builder pull(String ip) {
        return CloudTrailRecords.record("BatchGetImage")
                .assumedRole(ACCOUNT, "builder", "s1")
                .sourceIp(ip)
                .requestParameters(
                        CloudTrailRecords.object(
                                "repositoryName", "payments", "registryId", ACCOUNT));
    }

    static Allowlist.Network network(RulesConfig config, EcrEvent e) {
        return config.rule(UntrustedNetwork.ID).allowlist().network(e);
    }

    @Test
    void aPrivateAddressThroughAnUntrustedEndpointRaisesUntrustedNetwork() {
        EcrEvent attack = pull("10.1.2.3").vpcEndpointId(ATTACKER_VPCE).event();
        assertThat(network(CONFIG, attack)).isEqualTo(Allowlist.Network.UNTRUSTED);
        assertThat(SingleEventRuleFixtures.eval(new UntrustedNetwork(), CONFIG, attack))
                .hasValueSatisfying(
                        f ->
                                assertThat(f.details().get("reasons").toString())
                                        .contains(
                                                "source IP 10.1.2.3 came through VPC endpoint "
                                                        + ATTACKER_VPCE
                                                        + ", which is not trusted"));
        // Owned by a foreign account, as CloudTrail records it: still untrusted.
        EcrEvent foreignOwned =
                pull("10.1.2.3")
                        .vpcEndpointId(ATTACKER_VPCE)
                        .field("vpcEndpointAccountId", FOREIGN_ACCOUNT)
                        .event();
        assertThat(network(CONFIG, foreignOwned)).isEqualTo(Allowlist.Network.UNTRUSTED);
    }

    @Test
    void theTrustedEndpointStaysTrusted() {
        assertThat(network(CONFIG, pull("10.1.2.3").vpcEndpointId(CORP_VPCE).event()))
                .isEqualTo(Allowlist.Network.TRUSTED);
    }

    @Test
    void directCallsStayTrusted() {
        assertThat(network(CONFIG, pull("10.1.2.3").event())).isEqualTo(Allowlist.Network.TRUSTED);
    }

    @Test
    void theOrganizationsEndpointsStayTrusted() {
        for (String owner : List.of(ACCOUNT, TRUSTED_ACCOUNT)) {
            assertThat(
                            network(
                                    CONFIG,
                                    pull("10.1.2.3")
                                            .vpcEndpointId("vpce-0" + owner)
                                            .field("vpcEndpointAccountId", owner)
                                            .event()))
                    .as(owner)
                    .isEqualTo(Allowlist.Network.TRUSTED);
        }
    }

    @Test
    void anOrganizationsEndpointDoesNotTrustAnAddressOutsideTheCidrs() {
        assertThat(
                        network(
                                CONFIG,
                                pull("192.168.1.1")
                                        .vpcEndpointId("vpce-0" + ACCOUNT)
                                        .field("vpcEndpointAccountId", ACCOUNT)
                                        .event()))
                .isEqualTo(Allowlist.Network.UNTRUSTED);
    }

    @Test
    void trustedCidrsAnyEndpointAreTrustedThroughAnyEndpoint() {
        RulesConfig config =
                RulesConfigLoader.fromYaml(
                        CORP + "  trustedCidrsAnyEndpoint: [198.51.100.0/24]\n", "corp.yaml");
        assertThat(network(config, pull("198.51.100.7").vpcEndpointId(ATTACKER_VPCE).event()))
                .isEqualTo(Allowlist.Network.TRUSTED);
        assertThat(network(config, pull("10.1.2.3").vpcEndpointId(ATTACKER_VPCE).event()))
                .isEqualTo(Allowlist.Network.UNTRUSTED);
        // Alone, it activates the network checks.
        RulesConfig alone =
                RulesConfigLoader.fromYaml(
                        "allowlist:\n  trustedCidrsAnyEndpoint: [198.51.100.0/24]\n",
                        "egress.yaml");
        assertThat(network(alone, pull("203.0.113.9").event()))
                .isEqualTo(Allowlist.Network.UNTRUSTED);
    }

    @Test
    void aBadAnyEndpointCidrFailsNamingWhereItIs() {
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "rules:\n  untrusted-network:\n    allowlist:\n      trustedCidrsAnyEndpoint: [10.0.0.0/33]\n",
                                        "bad.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "bad.yaml: rules.untrusted-network.allowlist.trustedCidrsAnyEndpoint: item 0:");
    }
}
