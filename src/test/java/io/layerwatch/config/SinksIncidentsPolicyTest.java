package io.layerwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SinksIncidentsPolicyTest {

    @Test
    void pagingSinksPageOncePerIncidentByDefault() {
        SinksConfig s = RulesConfigLoader.builtIn().sinks();
        assertThat(s.sink("sns").policy().incidents()).isEqualTo(SinksConfig.Incidents.PAGE);
        assertThat(s.sink("webhook").policy().incidents()).isEqualTo(SinksConfig.Incidents.PAGE);
    }

    @Test
    void recordSinksGetEverythingByDefault() {
        SinksConfig s = RulesConfigLoader.builtIn().sinks();
        for (String name : new String[] {"jsonl", "securityhub", "ocsf"}) {
            assertThat(s.sink(name).policy().incidents())
                    .as(name)
                    .isEqualTo(SinksConfig.Incidents.ALL);
        }
        assertThat(SinksConfig.Policy.ALL.incidents()).isEqualTo(SinksConfig.Incidents.ALL);
    }

    @Test
    void theChoiceIsReadCaseInsensitivelyPerSink() {
        SinksConfig s =
                RulesConfigLoader.fromYaml(
                                """
                sinks:
                  ocsf: {policy: {incidents: Only}}
                  webhook: {policy: {incidents: all}}
                """,
                                "s.yaml")
                        .sinks();
        assertThat(s.sink("ocsf").policy().incidents()).isEqualTo(SinksConfig.Incidents.ONLY);
        assertThat(s.sink("webhook").policy().incidents()).isEqualTo(SinksConfig.Incidents.ALL);
        assertThat(s.sink("sns").policy().incidents()).isEqualTo(SinksConfig.Incidents.PAGE);
    }

    @Test
    void aBadValueFailsNamingFileKeyAndChoices() {
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "sinks:\n  sns: {policy: {incidents: once}}\n", "s.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "s.yaml: sinks.sns.policy.incidents: 'once' is not one of all, only, page");
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "sinks:\n  sns: {policy: {incident: page}}\n", "s.yaml"))
                .hasMessage(
                        "s.yaml: sinks.sns.policy.incident: unknown key (did you mean 'incidents'?)");
    }
}
