package io.layerwatch.streaming;

import static io.layerwatch.streaming.StreamingOptionsTest.groups;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.config.ConfigException;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.SinksConfig;
import io.layerwatch.sinks.remediation.RemediationSettings;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Sinks.securityhub.hub.account.id / hub.region: validated, over the rules file, seen by the
 * responder too.
 */
class SecurityHubPropertiesTest {

    static final String STREAM = "arn:aws:kinesis:us-east-1:999988887777:stream/trail";

    static StreamingOptions options(String... sinksKeyValue) {
        Map<String, Properties> g = groups("KinesisSource", "stream.arn", STREAM);
        for (int i = 0; i < sinksKeyValue.length; i += 2) {
            g.computeIfAbsent("Sinks", k -> new Properties())
                    .setProperty(sinksKeyValue[i], sinksKeyValue[i + 1]);
        }
        return StreamingOptions.fromProperties(g, "props");
    }

    static RulesConfig rulesWithHub(String account, String region) {
        return RulesConfigLoader.fromYaml(
                """
                sinks:
                  securityhub:
                    hubAccountId: "%s"
                    hubRegion: %s
                """
                        .formatted(account, region),
                "rules.yaml");
    }

    /**
     * The sinks the job attaches and the responder's settings, as StreamingJob.build derives them.
     */
    static SinksConfig.Sink hubSink(RulesConfig rules, StreamingOptions o) {
        return StreamingJob.withOverrides(rules.sinks(), o.sinkOverrides()).sink("securityhub");
    }

    static String responderHub(RulesConfig rules, StreamingOptions o) {
        return RemediationSettings.from(
                        rules.withSinks(
                                StreamingJob.withOverrides(rules.sinks(), o.sinkOverrides())),
                        null)
                .hubAccountId();
    }

    @Test
    void theRuntimePropertiesOverrideTheRulesFileForSinkAndResponder() {
        RulesConfig rules = rulesWithHub("111111111111", "eu-west-1");
        StreamingOptions o =
                options(
                        "securityhub.hub.account.id",
                        " 999988887777 ",
                        "securityhub.hub.region",
                        "eu-central-1");
        assertThat(hubSink(rules, o).option("hubAccountId")).isEqualTo("999988887777");
        assertThat(hubSink(rules, o).option("hubRegion")).isEqualTo("eu-central-1");
        assertThat(responderHub(rules, o)).isEqualTo("999988887777");
    }

    @Test
    void withoutThePropertiesTheRulesFileDecides() {
        RulesConfig rules = rulesWithHub("111111111111", "eu-west-1");
        StreamingOptions none = options("securityhub.hub.account.id", " ");
        assertThat(none.sinkOverrides()).doesNotContainKey("securityhub.hub.account.id");
        assertThat(hubSink(rules, none).option("hubAccountId")).isEqualTo("111111111111");
        assertThat(hubSink(rules, none).option("hubRegion")).isEqualTo("eu-west-1");
        assertThat(responderHub(rules, none)).isEqualTo("111111111111");
    }

    @Test
    void withoutThePropertiesBuiltInRulesLeaveTheHubToSts() {
        RulesConfig builtIn = RulesConfigLoader.builtIn();
        assertThat(
                        hubSink(builtIn, options("securityhub.hub.account.id", " "))
                                .option("hubAccountId"))
                .isNull();
        assertThat(
                        hubSink(builtIn, options("securityhub.hub.region", "us-gov-west-1"))
                                .option("hubRegion"))
                .isEqualTo("us-gov-west-1");
    }

    @Test
    void badValuesFailFastNamingTheKey() {
        assertThatThrownBy(() -> options("securityhub.hub.account.id", "12345"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "props: Sinks.securityhub.hub.account.id: '12345' is not a 12-digit account id");
        assertThatThrownBy(
                        () ->
                                options(
                                        "securityhub.hub.account.id",
                                        "arn:aws:iam::999988887777:root"))
                .hasMessageStartingWith("props: Sinks.securityhub.hub.account.id: ");
        assertThatThrownBy(() -> options("securityhub.hub.region", "Frankfurt"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "props: Sinks.securityhub.hub.region: 'Frankfurt' is not an AWS region like us-east-1");
        assertThatThrownBy(() -> options("securityhub.hub.region", "us-east-1a"))
                .hasMessageStartingWith("props: Sinks.securityhub.hub.region: ");
    }
}
