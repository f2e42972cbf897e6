package io.layerwatch.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.kinesisanalytics.runtime.KinesisAnalyticsRuntime;
import io.layerwatch.config.CloudWatchLogsSenders;
import io.layerwatch.config.ConfigException;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.SinksConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamingOptionsTest {

    static Map<String, Properties> groups(String... groupKeyValue) {
        Map<String, Properties> out = new LinkedHashMap<>();
        for (int i = 0; i < groupKeyValue.length; i += 3) {
            out.computeIfAbsent(groupKeyValue[i], g -> new Properties())
                    .setProperty(groupKeyValue[i + 1], groupKeyValue[i + 2]);
        }
        return out;
    }

    @Test
    void theShippedDevPropertiesFileIsValid() throws Exception {
        Map<String, Properties> groups =
                KinesisAnalyticsRuntime.getApplicationProperties(
                        Path.of("job", StreamingJob.DEV_PROPERTIES).toString());
        StreamingOptions o = StreamingOptions.fromProperties(groups, StreamingJob.DEV_PROPERTIES);
        assertThat(o.stream()).endsWith(":stream/layerwatch-cloudtrail");
        assertThat(o.initialPosition()).isEqualTo(StreamingOptions.InitialPosition.LATEST);
        assertThat(o.reloadInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(o.sinks()).containsExactly("securityhub");
        SinksConfig sinks =
                StreamingJob.withOverrides(RulesConfigLoader.builtIn().sinks(), o.sinkOverrides());
        assertThat(sinks.deadLetter().type()).isEqualTo("SQS");
        assertThat(sinks.deadLetter().queueUrl()).endsWith("/layerwatch-dead-letters");
    }

    @Test
    void aMissingFileMeansMissingGroupsNamedInTheError(@TempDir Path dir) throws Exception {
        Map<String, Properties> none =
                KinesisAnalyticsRuntime.getApplicationProperties(
                        dir.resolve("absent.json").toString());
        assertThat(none).isEmpty();
        assertThatThrownBy(() -> StreamingOptions.fromProperties(none, "absent.json"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "absent.json: missing property group KinesisSource (key stream.arn is required)");
    }

    @Test
    void keysAreValidatedWithGroupAndKeyInTheMessage() {
        assertThatThrownBy(
                        () ->
                                StreamingOptions.fromProperties(
                                        groups("KinesisSource", "aws.region", "us-east-1"),
                                        "props"))
                .hasMessage("props: KinesisSource.stream.arn: required");
        assertThatThrownBy(
                        () ->
                                StreamingOptions.fromProperties(
                                        groups(
                                                "KinesisSource",
                                                "stream.arn",
                                                "s",
                                                "KinesisSource",
                                                "stream.name",
                                                "x"),
                                        "props"))
                .hasMessageStartingWith("props: KinesisSource.stream.name: unknown key");
        assertThatThrownBy(
                        () ->
                                StreamingOptions.fromProperties(
                                        groups(
                                                "KinesisSource",
                                                "stream.arn",
                                                "s",
                                                "Kinesis",
                                                "x",
                                                "y"),
                                        "props"))
                .hasMessageStartingWith("props: unknown property group Kinesis");
        assertThatThrownBy(
                        () ->
                                StreamingOptions.fromProperties(
                                        groups(
                                                "KinesisSource",
                                                "stream.arn",
                                                "s",
                                                "KinesisSource",
                                                "initial.position",
                                                "EARLIEST"),
                                        "props"))
                .hasMessage(
                        "props: KinesisSource.initial.position: 'EARLIEST' is not one of LATEST, TRIM_HORIZON, AT_TIMESTAMP");
        assertThatThrownBy(
                        () ->
                                StreamingOptions.fromProperties(
                                        groups(
                                                "KinesisSource",
                                                "stream.arn",
                                                "s",
                                                "KinesisSource",
                                                "initial.position",
                                                "AT_TIMESTAMP"),
                                        "props"))
                .hasMessage(
                        "props: KinesisSource.initial.timestamp: required with initial.position AT_TIMESTAMP");
        assertThatThrownBy(
                        () ->
                                StreamingOptions.fromProperties(
                                        groups(
                                                "KinesisSource",
                                                "stream.arn",
                                                "s",
                                                "LayerWatch",
                                                "rules.reload.interval",
                                                "often"),
                                        "props"))
                .hasMessage(
                        "props: LayerWatch.rules.reload.interval: 'often' is not a duration such as 30s, 15m, 2h, 7d or PT15M");
    }

    @Test
    void atTimestampCatchUpAndEfoReachTheConsumerProperties() {
        StreamingOptions o =
                StreamingOptions.fromProperties(
                        groups(
                                "KinesisSource",
                                "stream.arn",
                                "arn:aws:kinesis:eu-west-1:111122223333:stream/trail",
                                "KinesisSource",
                                "initial.position",
                                "AT_TIMESTAMP",
                                "KinesisSource",
                                "initial.timestamp",
                                "2024-05-01T00:00:00Z",
                                "KinesisSource",
                                "efo.consumer.name",
                                "layerwatch"),
                        "props");
        Properties p = KinesisPayloads.properties(o, Duration.ofMinutes(1));
        assertThat(p.getProperty("flink.shard.idle.interval")).isEqualTo("60000");
        assertThat(KinesisPayloads.streamName(o.stream())).isEqualTo("trail");
        assertThat(p.getProperty("aws.region")).isEqualTo("eu-west-1");
        assertThat(p.getProperty("flink.stream.initpos")).isEqualTo("AT_TIMESTAMP");
        assertThat(p.getProperty("flink.stream.initpos.timestamp")).isEqualTo("1714521600.000");
        assertThat(p.getProperty("flink.stream.recordpublisher")).isEqualTo("EFO");
        assertThat(p.getProperty("flink.stream.efo.consumername")).isEqualTo("layerwatch");
    }

    /** Remediation as a rules file has it: disabled, one action not a dry run. */
    private static RemediationConfig remediationFile() {
        return RulesConfigLoader.fromYaml(
                        """
                remediation:
                  enabled: false
                  actions:
                    quarantine-repository: {dryRun: false}
                """,
                        "rules.yaml")
                .remediation();
    }

    /**
     * The Remediation group switching the responder on, executing, with role names and an audit
     * bucket.
     */
    private static StreamingOptions remediationOn() {
        return StreamingOptions.fromProperties(
                groups(
                        "KinesisSource",
                        "stream.arn",
                        "arn:aws-cn:kinesis:cn-north-1:111122223333:stream/ct",
                        "KinesisSource",
                        "aws.region",
                        "cn-north-1",
                        "Remediation",
                        "enabled",
                        "true",
                        "Remediation",
                        "execute",
                        "true",
                        "Remediation",
                        "assume.role.name",
                        "LayerWatchRemediation",
                        "Remediation",
                        "revoke.role.name",
                        "IrRevoker",
                        "Remediation",
                        "audit.bucket",
                        "audit-bucket"),
                "props");
    }

    @Test
    void theRemediationGroupSwitchesTheResponder() {
        RemediationConfig file = remediationFile();
        StreamingOptions on = remediationOn();
        RemediationConfig c = StreamingJob.remediation(file, on, false);
        assertThat(c.enabled()).isTrue();
        assertThat(c.action("quarantine-repository").dryRun()).isFalse();
        assertThat(c.roleFor("444455556666").roleArn())
                .isEqualTo("arn:aws-cn:iam::444455556666:role/LayerWatchRemediation");
        assertThat(c.revokeSessionsRoleFor("444455556666").roleArn())
                .isEqualTo("arn:aws-cn:iam::444455556666:role/IrRevoker");
        assertThat(on.remediation()).containsEntry("audit.bucket", "audit-bucket");
        // Without the group the file decides.
        StreamingOptions none =
                StreamingOptions.fromProperties(
                        groups("KinesisSource", "stream.arn", "s"), "props");
        assertThat(StreamingJob.remediation(file, none, false).enabled()).isFalse();
    }

    @Test
    void theRemediationGroupCanOnlyForceDryRuns() {
        RemediationConfig file = remediationFile();
        StreamingOptions on = remediationOn();
        // execute=false, or the CLI's --dry-run, turns every action into a dry run; true never
        // undoes a file's dry run.
        StreamingOptions dry =
                StreamingOptions.fromProperties(
                        groups(
                                "KinesisSource",
                                "stream.arn",
                                "s",
                                "Remediation",
                                "enabled",
                                "true",
                                "Remediation",
                                "execute",
                                "false"),
                        "props");
        assertThat(
                        StreamingJob.remediation(file, dry, false)
                                .action("quarantine-repository")
                                .dryRun())
                .isTrue();
        assertThat(
                        StreamingJob.remediation(file, on, true)
                                .action("quarantine-repository")
                                .dryRun())
                .isTrue();
        assertThat(StreamingJob.remediation(file, on, false).action("deny-layer-download").dryRun())
                .isTrue();
    }

    @Test
    void badRemediationPropertiesAreRejected() {
        assertThatThrownBy(
                        () ->
                                StreamingOptions.fromProperties(
                                        groups(
                                                "KinesisSource",
                                                "stream.arn",
                                                "s",
                                                "Remediation",
                                                "execute",
                                                "yes"),
                                        "props"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("props: Remediation.execute: 'yes' is not true or false");
        assertThatThrownBy(
                        () ->
                                StreamingOptions.fromProperties(
                                        groups(
                                                "KinesisSource",
                                                "stream.arn",
                                                "s",
                                                "Remediation",
                                                "revoke.role.name",
                                                "arn:aws:iam::1:role/x"),
                                        "props"))
                .hasMessage(
                        "props: Remediation.revoke.role.name: 'arn:aws:iam::1:role/x' is not an IAM role name");
    }

    @Test
    void cloudWatchLogsSenderPropertiesReplaceTheFilesListsOneByOne() {
        CloudWatchLogsSenders file =
                RulesConfigLoader.fromYaml(
                                """
                input:
                  cloudWatchLogs: {owners: ["111122223333"], logGroups: [aws-controltower/CloudTrailLogs]}
                """,
                                "rules.yaml")
                        .cloudWatchLogs();
        StreamingOptions owners =
                StreamingOptions.fromProperties(
                        groups(
                                "KinesisSource",
                                "stream.arn",
                                "s",
                                "KinesisSource",
                                "cloudwatch.logs.owners",
                                " 444455556666, ,555566667777 "),
                        "props");

        CloudWatchLogsSenders s = owners.cloudWatchLogs(file);

        assertThat(s.owners()).containsExactly("444455556666", "555566667777");
        assertThat(s.logGroups()).containsExactly("aws-controltower/CloudTrailLogs");
        assertThat(s.rejection("111122223333", "aws-controltower/CloudTrailLogs"))
                .endsWith("owner not in KinesisSource.cloudwatch.logs.owners");
        assertThat(s.rejection("444455556666", "other"))
                .endsWith("log group not in input.cloudWatchLogs.logGroups");
        StreamingOptions groups =
                StreamingOptions.fromProperties(
                        groups(
                                "KinesisSource",
                                "stream.arn",
                                "s",
                                "KinesisSource",
                                "cloudwatch.logs.log.groups",
                                "org-trail-*"),
                        "props");
        assertThat(groups.cloudWatchLogs(file).rejection("111122223333", "org-trail-logs"))
                .isNull();
        // Unset or blank: the file decides.
        StreamingOptions blank =
                StreamingOptions.fromProperties(
                        groups(
                                "KinesisSource",
                                "stream.arn",
                                "s",
                                "KinesisSource",
                                "cloudwatch.logs.owners",
                                " "),
                        "props");
        assertThat(blank.cloudWatchLogs(file).owners()).containsExactly("111122223333");

        assertThatThrownBy(
                        () ->
                                StreamingOptions.fromProperties(
                                        groups(
                                                "KinesisSource",
                                                "stream.arn",
                                                "s",
                                                "KinesisSource",
                                                "cloudwatch.logs.owners",
                                                "111122223333,arn:aws:iam::444455556666:root"),
                                        "props"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "props: KinesisSource.cloudwatch.logs.owners: item 1 'arn:aws:iam::444455556666:root' is"
                                + " not a 12-digit AWS account id");
        assertThatThrownBy(
                        () ->
                                StreamingOptions.fromProperties(
                                        groups(
                                                "KinesisSource",
                                                "stream.arn",
                                                "s",
                                                "KinesisSource",
                                                "cloudwatch.logs.log.groups",
                                                "a b"),
                                        "props"))
                .hasMessageStartingWith(
                        "props: KinesisSource.cloudwatch.logs.log.groups: item 0 'a b' is not a log group");
    }
}
