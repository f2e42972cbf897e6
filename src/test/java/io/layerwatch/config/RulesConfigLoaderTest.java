package io.layerwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesConfigLoaderTest {

    @Test
    void builtInDefaultsAreValidAndComplete() {
        RulesConfig c = RulesConfigLoader.builtIn();
        for (String id : RuleCatalog.ids()) {
            assertThat(c.rule(id).enabled()).as(id).isTrue();
        }
        assertThat(c.rule(RuleCatalog.LAYER_DOWNLOAD).severity()).isEqualTo(Severity.LOW);
        assertThat(c.maxOutOfOrderness()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.rule(RuleCatalog.LAYER_DOWNLOAD_BURST).duration("window"))
                .isEqualTo(Duration.ofMinutes(10));
    }

    /**
     * A user's file in {@code dir}: global allowlist entries, a rule disabled, a rule's window and
     * allowlist.
     */
    private static Path userFile(Path dir) throws Exception {
        Path file = dir.resolve("mine.yaml");
        Files.writeString(
                file,
                """
                allowlist:
                  principals: ["arn:aws:iam::*:role/ci-*"]
                  trustedCidrs: [10.0.0.0/8, "2001:db8::/32"]
                rules:
                  layer-download:
                    enabled: false
                  layer-download-burst:
                    window: 2h
                    allowlist:
                      repositories: ["mirror/*"]
                """);
        return file;
    }

    @Test
    void userFileOverridesKeyByKey(@TempDir Path dir) throws Exception {
        Path file = userFile(dir);
        RulesConfig c = RulesConfigLoader.load(file);
        assertThat(c.source()).contains(file.toString());
        assertThat(c.enabled(RuleCatalog.LAYER_DOWNLOAD)).isFalse();
        RuleSettings burst = c.rule(RuleCatalog.LAYER_DOWNLOAD_BURST);
        assertThat(burst.duration("window")).isEqualTo(Duration.ofHours(2));
        assertThat(burst.count("minDistinctLayers")).isEqualTo(50); // kept from the defaults
    }

    @Test
    void userFileMergesAllowlists(@TempDir Path dir) throws Exception {
        RulesConfig c = RulesConfigLoader.load(userFile(dir));
        RuleSettings burst = c.rule(RuleCatalog.LAYER_DOWNLOAD_BURST);
        assertThat(burst.allowlist().principalAllowed("arn:aws:iam::123456789012:role/ci-build"))
                .isTrue();
        assertThat(burst.allowlist().repositoryAllowed("mirror/nginx")).isTrue();
        assertThat(c.rule(RuleCatalog.LAYER_DOWNLOAD).allowlist().repositoryAllowed("mirror/nginx"))
                .isFalse();
        assertThat(burst.allowlist().trustedCidrs())
                .extracting(Object::toString)
                .containsExactly("10.0.0.0/8", "2001:db8::/32");
    }

    @Test
    void anUnknownKeyIsNamedWhereItIsWithTheClosestKnownKey() {
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "rules:\n  layer-download-burst:\n    windw: 5m\n",
                                        "my.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "my.yaml: rules.layer-download-burst.windw: unknown key (did you mean 'window'?)");
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "rules:\n  layer-downlod: {enabled: false}\n", "my.yaml"))
                .hasMessage(
                        "my.yaml: rules.layer-downlod: unknown rule id (did you mean 'layer-download'?)");
        assertThatThrownBy(() -> RulesConfigLoader.fromYaml("alowlist: {}\n", "my.yaml"))
                .hasMessage("my.yaml: alowlist: unknown key (did you mean 'allowlist'?)");
    }

    @Test
    void badValuesAreReportedTogether() {
        String yaml =
                """
                allowlist:
                  trustedCidrs: [10.0.0.0/33, not-an-ip]
                  trustedAccounts: ["12345"]
                  organizationId: org-1
                eventTime:
                  maxOutOfOrderness: soon
                rules:
                  layer-download:
                    severity: URGENT
                  access-denied-burst:
                    minCount: -1
                """;
        assertThatThrownBy(() -> RulesConfigLoader.fromYaml(yaml, "bad.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "bad.yaml: allowlist.trustedCidrs: item 0: '10.0.0.0/33' has an invalid prefix length")
                .hasMessageContaining(
                        "bad.yaml: allowlist.trustedAccounts: item 0 '12345' is not a 12-digit AWS account id")
                .hasMessageContaining(
                        "bad.yaml: allowlist.organizationId: 'org-1' is not an organization id")
                .hasMessageContaining(
                        "bad.yaml: eventTime.maxOutOfOrderness: 'soon' is not a duration")
                .hasMessageContaining(
                        "bad.yaml: rules.layer-download.severity: 'URGENT' is not one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL")
                .hasMessageContaining(
                        "bad.yaml: rules.access-denied-burst.minCount: -1 is not a whole number >= 0");
    }

    @Test
    void invalidYamlAndMissingFilesAreClearErrors(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> RulesConfigLoader.fromYaml("rules: [unclosed\n", "broken.yaml"))
                .hasMessageStartingWith("broken.yaml: invalid YAML at line");
        assertThatThrownBy(() -> RulesConfigLoader.load(dir.resolve("nope.yaml")))
                .hasMessage(dir.resolve("nope.yaml") + ": file not found");
        assertThatThrownBy(() -> RulesConfigLoader.fromYaml("- a\n- b\n", "list.yaml"))
                .hasMessageContaining("list.yaml: the top level must be a mapping");
    }

    @Test
    void durationsAcceptShortAndIsoForms() {
        RulesConfig c =
                RulesConfigLoader.fromYaml(
                        "rules:\n  credential-network-hop: {window: PT90M}\n  first-seen-puller: {learningPeriod: 36h}\n",
                        "d.yaml");
        assertThat(c.rule(RuleCatalog.CREDENTIAL_NETWORK_HOP).duration("window"))
                .isEqualTo(Duration.ofMinutes(90));
        assertThat(c.rule(RuleCatalog.FIRST_SEEN_PULLER).duration("learningPeriod"))
                .isEqualTo(Duration.ofHours(36));
    }

    @Test
    void cidrsMatchLiteralsOnly() {
        Cidr c = Cidr.parse("10.1.0.0/16");
        assertThat(c.contains("10.1.200.3")).isTrue();
        assertThat(c.contains("10.2.0.1")).isFalse();
        assertThat(c.contains("ecr.amazonaws.com")).isFalse();
        assertThat(c.contains("AWS Internal")).isFalse();
        assertThat(Cidr.parse("2001:db8::/32").contains("2001:db8:1::5")).isTrue();
        assertThat(Cidr.parse("2001:db8::/32").contains("10.1.0.1")).isFalse();
    }

    @Test
    void sinksSectionIsParsedWithDefaultsAndPolicies() {
        RulesConfig c =
                RulesConfigLoader.fromYaml(
                        """
                sinks:
                  deadLetter: {type: sqs, queueUrl: "https://sqs.us-east-1.amazonaws.com/111122223333/dlq"}
                  sns:
                    enabled: true
                    topicArn: arn:aws:sns:us-east-1:111122223333:alerts
                    policy: {minSeverity: HIGH, excludeRules: [layer-download], suppressionWindow: 30m}
                  webhook: {enabled: true, format: PagerDuty, headers: {X-Team: sec}}
                """,
                        "sinks.yaml");
        SinksConfig s = c.sinks();
        assertThat(s.enabled()).containsExactly("jsonl", "sns", "webhook");
        assertThat(s.deadLetter().type()).isEqualTo("SQS");
        assertThat(s.delivery().maxAttempts()).isEqualTo(5);
        SinksConfig.Sink sns = s.sink("sns");
        assertThat(sns.option("topicArn")).isEqualTo("arn:aws:sns:us-east-1:111122223333:alerts");
        assertThat(sns.option("format")).isEqualTo("TEXT_AND_JSON"); // from the built-in defaults
        assertThat(sns.policy().suppressionWindow()).isEqualTo(Duration.ofMinutes(30));
        assertThat(sns.policy().admits("untrusted-network", Severity.HIGH)).isTrue();
        assertThat(sns.policy().admits("untrusted-network", Severity.MEDIUM)).isFalse();
        assertThat(sns.policy().admits("layer-download", Severity.CRITICAL)).isFalse();
        assertThat(s.sink("webhook").option("format")).isEqualTo("PAGERDUTY");
        assertThat(s.sink("webhook").map("headers")).containsEntry("X-Team", "sec");
    }

    @Test
    void badSinkSettingsNameTheKeyPath() {
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "sinks:\n  sns: {topicArm: x}\n", "s.yaml"))
                .hasMessage("s.yaml: sinks.sns.topicArm: unknown key (did you mean 'topicArn'?)");
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "sinks:\n  ocsf: {target: splunk}\n", "s.yaml"))
                .hasMessage(
                        "s.yaml: sinks.ocsf.target: 'splunk' is not one of file, firehose, kinesis, stdout");
        assertThatThrownBy(() -> RulesConfigLoader.fromYaml("sinks:\n  pagerduty: {}\n", "s.yaml"))
                .hasMessageStartingWith("s.yaml: sinks.pagerduty: unknown key");
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "sinks:\n  sns: {policy: {includeRules: [layer-downloads]}}\n",
                                        "s.yaml"))
                .hasMessageContaining(
                        "sinks.sns.policy.includeRules: unknown rule id 'layer-downloads' (did you mean 'layer-download'?)");
    }

    @Test
    void cloudWatchLogsSendersAreUnrestrictedByDefault() {
        assertThat(RulesConfigLoader.builtIn().cloudWatchLogs().restricted()).isFalse();
    }

    @Test
    void cloudWatchLogsSendersComeFromTheInputSection(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("org.yaml");
        Files.writeString(
                file,
                """
                input:
                  cloudWatchLogs:
                    owners: ["111122223333", 444455556666]
                    logGroups: [aws-controltower/CloudTrailLogs, "aws-cloudtrail-logs-*"]
                """);

        CloudWatchLogsSenders s = RulesConfigLoader.load(file).cloudWatchLogs();

        assertThat(s.owners()).containsExactly("111122223333", "444455556666");
        assertThat(s.rejection("444455556666", "aws-cloudtrail-logs-o-a1b2c3")).isNull();
        assertThat(s.rejection("111122223333", "aws-controltower/CloudTrailLogs")).isNull();
        assertThat(s.rejection("999988887777", "aws-controltower/CloudTrailLogs"))
                .isEqualTo(
                        "CloudWatch Logs message"
                                + " from owner '999988887777', log group 'aws-controltower/CloudTrailLogs': owner not in "
                                + "input.cloudWatchLogs.owners");
        assertThat(s.rejection("111122223333", "aws-controltower/CloudTrailLogs-copy"))
                .endsWith("log group not in input.cloudWatchLogs.logGroups");
    }

    @Test
    void badCloudWatchLogsSendersNameFileAndKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("org.yaml");
        Files.writeString(
                file,
                """
                input:
                  cloudWatchLogs:
                    owners: ["1111-2222-3333"]
                    logGroups: [aws-controltower/CloudTrailLogs, "trail logs"]
                """);

        assertThatThrownBy(() -> RulesConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        file
                                + ": input.cloudWatchLogs.owners: item 0 '1111-2222-3333' is not a 12-digit"
                                + " AWS account id")
                .hasMessageContaining(
                        file
                                + ": input.cloudWatchLogs.logGroups: item 1 'trail logs' is not a log group name");
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "input:\n  cloudWatchLog: {owners: []}\n", "i.yaml"))
                .hasMessage(
                        "i.yaml: input.cloudWatchLog: unknown key (did you mean 'cloudWatchLogs'?)");
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "input:\n  cloudWatchLogs: {owners: \"111122223333\"}\n",
                                        "i.yaml"))
                .hasMessage(
                        "i.yaml: input.cloudWatchLogs.owners: '111122223333' is not a list of 12-digit AWS account ids");
    }

    @Test
    void maxInflatedBytesIs256MiBByDefault() {
        assertThat(RulesConfigLoader.builtIn().maxInflatedBytes()).isEqualTo(256L << 20);
    }

    @Test
    void maxInflatedBytesTakesSizesWithUnits() {
        assertThat(
                        RulesConfigLoader.fromYaml("input: {maxInflatedBytes: 64MiB}", "i.yaml")
                                .maxInflatedBytes())
                .isEqualTo(64L << 20);
        assertThat(
                        RulesConfigLoader.fromYaml("input: {maxInflatedBytes: 1 GiB}", "i.yaml")
                                .maxInflatedBytes())
                .isEqualTo(1L << 30);
        assertThat(
                        RulesConfigLoader.fromYaml("input: {maxInflatedBytes: 2000000}", "i.yaml")
                                .maxInflatedBytes())
                .isEqualTo(2_000_000);
        assertThat(
                        RulesConfigLoader.fromYaml("input: {maxInflatedBytes: 10MB}", "i.yaml")
                                .maxInflatedBytes())
                .isEqualTo(10_000_000);
    }

    @Test
    void badMaxInflatedBytesNamesFileKeyAndProblem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("limits.yaml");
        Files.writeString(file, "input:\n  maxInflatedBytes: 2GiB\n");
        assertThatThrownBy(() -> RulesConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        file
                                + ": input.maxInflatedBytes: '2GiB' (2147483648 bytes) is not between 1MiB and 1GiB");
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "input: {maxInflatedBytes: 1000}", "i.yaml"))
                .hasMessage(
                        "i.yaml: input.maxInflatedBytes: 1000 (1000 bytes) is not between 1MiB and 1GiB");
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "input: {maxInflatedBytes: lots}", "i.yaml"))
                .hasMessage(
                        "i.yaml: input.maxInflatedBytes: 'lots' is not a size from 1MiB to 1GiB such as 256MiB,"
                                + " 64MB or 1048576 (bytes)");
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "input: {maxInflatedByte: 1GiB}", "i.yaml"))
                .hasMessage(
                        "i.yaml: input.maxInflatedByte: unknown key (did you mean 'maxInflatedBytes'?)");
    }
}
