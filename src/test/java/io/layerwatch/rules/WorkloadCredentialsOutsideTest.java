package io.layerwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.LiveRules;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.CollectingOutput;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * {@code workload-credentials-outside}: the origin of a session key, then an ECR call from
 * elsewhere.
 */
class WorkloadCredentialsOutsideTest {

    private static final RulesConfig CONFIG = RulesConfigLoader.builtIn();
    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
    private static final String LAMBDA_UA = "awslambda-worker";
    private static final String FUNCTION_SDK =
            "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux lang/python#3.12"
                    + " exec-env/AWS_Lambda_python3.12 Botocore/1.34.0";
    private static final String LAPTOP_CLI =
            "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64";

    /**
     * A record of another service by the role session {@code session}, {@code seconds} after T0.
     */
    private static CloudTrailRecords.Builder logs(
            String session, int seconds, String ip, String agent) {
        return CloudTrailRecords.record("CreateLogStream")
                .eventSource("logs.amazonaws.com")
                .assumedRole(CloudTrailRecords.ACCOUNT, "fn-role", session)
                .time(T0.plusSeconds(seconds))
                .eventId("logs-" + session + "-" + seconds)
                .sourceIp(ip)
                .userAgent(agent);
    }

    private static EcrEvent ecr(String session, String name, int seconds, String ip, String agent) {
        return CloudTrailRecords.record(name)
                .assumedRole(CloudTrailRecords.ACCOUNT, "fn-role", session)
                .repositoryName("app")
                .time(T0.plusSeconds(seconds))
                .eventId(name + "-" + session + "-" + seconds)
                .sourceIp(ip)
                .userAgent(agent)
                .event();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> harness()
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new WorkloadCredentialsOutside.Static(CONFIG)),
                        WorkloadCredentialsOutside::sessionKey,
                        Types.STRING);
        h.open();
        return h;
    }

    private static List<Finding> judge(EcrEvent... events) throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> h = harness()) {
            for (EcrEvent e : events) {
                h.processElement(new StreamRecord<>(e, e.eventTime()));
            }
            return h.extractOutputValues();
        }
    }

    /**
     * A Lambda function's key, used from a laptop a minute later: the origin, then two ECR calls.
     */
    private static EcrEvent lambdaKeyUsedFromALaptop(
            KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> h) throws Exception {
        EcrEvent origin = logs("fn", 0, "34.234.236.212", LAMBDA_UA).event();
        for (EcrEvent e :
                List.of(
                        origin,
                        ecr("fn", "ListImages", 60, "104.102.221.250", LAPTOP_CLI),
                        ecr("fn", "BatchGetImage", 90, "104.102.221.250", LAPTOP_CLI))) {
            h.processElement(new StreamRecord<>(e, e.eventTime()));
        }
        return origin;
    }

    @Test
    void aLambdaKeyUsedFromALaptopIsOneHighFinding() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> h = harness()) {
            EcrEvent origin = lambdaKeyUsedFromALaptop(h);
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            f -> {
                                assertThat(f.ruleId()).isEqualTo(WorkloadCredentialsOutside.ID);
                                assertThat(f.severity().name()).isEqualTo("HIGH");
                                assertThat(f.details())
                                        .containsEntry(
                                                "accessKeyId", origin.principal().accessKeyId())
                                        .containsEntry(
                                                "role",
                                                "arn:aws:iam::"
                                                        + CloudTrailRecords.ACCOUNT
                                                        + ":role/fn-role")
                                        .containsEntry("workload", "Lambda")
                                        .containsEntry("workloadSourceIp", "34.234.236.212")
                                        .containsEntry("outsideSourceIp", "104.102.221.250")
                                        .containsEntry("outsideClient", "AWS CLI");
                                assertThat(f.eventIds())
                                        .containsExactly(origin.eventId(), "ListImages-fn-60");
                            });
        }
    }

    @Test
    void theStateEndsWithTheSession() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> h = harness()) {
            EcrEvent origin = lambdaKeyUsedFromALaptop(h);
            assertThat(h.numKeyedStateEntries()).isPositive();
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            h.processWatermark(
                    new Watermark(
                            origin.eventTime()
                                    + WorkloadCredentialsOutside.SESSION_TTL.toMillis()));
            assertThat(h.numKeyedStateEntries()).as("no session outlives 36h").isZero();
        }
    }

    @Test
    void theFunctionsOwnSdkIsNotAFinding() throws Exception {
        assertThat(
                        judge(
                                logs("a", 0, "34.234.236.212", LAMBDA_UA).event(),
                                ecr("a", "BatchGetImage", 60, "3.80.1.2", FUNCTION_SDK)))
                .as("the function's own SDK")
                .isEmpty();
    }

    @Test
    void anAddressInTheWorkloadsSlash16IsNotAFinding() throws Exception {
        assertThat(
                        judge(
                                logs("b", 0, "34.234.236.212", LAMBDA_UA).event(),
                                ecr("b", "BatchGetImage", 60, "34.234.7.7", LAPTOP_CLI)))
                .as("the same /16")
                .isEmpty();
    }

    @Test
    void aCallThroughAVpcEndpointIsNotAFinding() throws Exception {
        assertThat(
                        judge(
                                logs("c", 0, "34.234.236.212", LAMBDA_UA).event(),
                                CloudTrailRecords.record("BatchGetImage")
                                        .assumedRole(CloudTrailRecords.ACCOUNT, "fn-role", "c")
                                        .repositoryName("app")
                                        .time(T0.plusSeconds(60))
                                        .sourceIp("10.0.3.4")
                                        .vpcEndpointId("vpce-0a1b2c3d4e5f60718")
                                        .userAgent(LAPTOP_CLI)
                                        .event()))
                .as("through a VPC endpoint")
                .isEmpty();
    }

    @Test
    void anOriginWithoutAWorkloadRuntimeIsNotAFinding() throws Exception {
        assertThat(
                        judge(
                                logs("d", 0, "198.51.100.7", LAPTOP_CLI).event(),
                                ecr("d", "BatchGetImage", 60, "104.102.221.250", LAPTOP_CLI)))
                .as("no runtime at the origin")
                .isEmpty();
    }

    @Test
    void anOutsideUseBeforeTheOriginIsNotAFinding() throws Exception {
        assertThat(
                        judge(
                                ecr("e", "BatchGetImage", 0, "104.102.221.250", LAPTOP_CLI),
                                logs("e", 60, "34.234.236.212", LAMBDA_UA).event()))
                .as("the outside use came first")
                .isEmpty();
    }

    @Test
    void anInstanceSessionIsAWorkloadByItsNameButNeedsAPublicOriginToCompare() throws Exception {
        String instance = "i-0123456789abcdef0";
        assertThat(
                        judge(
                                logs(
                                                instance,
                                                0,
                                                "54.210.1.2",
                                                "aws-sdk-go/1.44.0 (go1.20; linux; amd64)")
                                        .event(),
                                ecr(
                                        instance,
                                        "GetDownloadUrlForLayer",
                                        60,
                                        "104.102.221.250",
                                        "docker/24.0.7 go/go1.20.10")))
                .singleElement()
                .satisfies(
                        f ->
                                assertThat(f.details())
                                        .containsEntry("workload", "EC2")
                                        .containsEntry("outsideClient", "docker"));
        assertThat(
                        judge(
                                logs(instance, 0, "10.0.1.5", "aws-sdk-go/1.44.0")
                                        .vpcEndpointId("vpce-0123")
                                        .event(),
                                ecr(
                                        instance,
                                        "GetDownloadUrlForLayer",
                                        60,
                                        "54.210.1.2",
                                        "aws-sdk-go/1.44.0")))
                .as("an S3 endpoint, then the NAT gateway")
                .isEmpty();
    }

    @Test
    void anOriginThatArrivesAfterTheCallsStillMakesTheFindingOfTheEarliestCall() throws Exception {
        EcrEvent origin = logs("late", 0, "34.234.236.212", LAMBDA_UA).event();
        EcrEvent list = ecr("late", "ListImages", 60, "104.102.221.250", LAPTOP_CLI);
        EcrEvent pull = ecr("late", "BatchGetImage", 90, "104.102.221.250", LAPTOP_CLI);
        // Sorted input (the in-place replay) but the origin, which bypasses the sort, comes last.
        assertThat(judge(list, pull, origin))
                .singleElement()
                .satisfies(
                        f ->
                                assertThat(f.eventIds())
                                        .containsExactly(origin.eventId(), list.eventId()));

        // Under live rules each key waits for the watermark: any arrival order gives the same
        // finding.
        try (var h =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new WorkloadCredentialsOutside(CONFIG),
                        WorkloadCredentialsOutside::sessionKey,
                        Types.STRING,
                        LiveRules.STATE)) {
            for (EcrEvent e : List.of(pull, origin, list)) {
                h.processElement(new StreamRecord<>(e, e.eventTime()));
            }
            assertThat(h.extractOutputValues()).isEmpty();
            h.watermark(pull.eventTime());
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            f ->
                                    assertThat(f.eventIds())
                                            .containsExactly(origin.eventId(), list.eventId()));
        }
    }

    /**
     * The findings of a laptop use of a Lambda key under live rules, after the rules update {@code
     * yaml}.
     */
    private static List<Finding> underLiveRulesAfter(String yaml) throws Exception {
        try (var h =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new WorkloadCredentialsOutside(CONFIG),
                        WorkloadCredentialsOutside::sessionKey,
                        Types.STRING,
                        LiveRules.STATE)) {
            h.processBroadcastElement(new RulesUpdate("test", yaml), 0);
            h.processElement(
                    new StreamRecord<>(logs("x", 0, "34.234.236.212", LAMBDA_UA).event(), 0));
            h.processElement(
                    new StreamRecord<>(
                            ecr("x", "ListImages", 60, "104.102.221.250", LAPTOP_CLI), 0));
            h.watermark(Long.MAX_VALUE - 1);
            return h.extractOutputValues();
        }
    }

    @Test
    void underLiveRulesTheUseIsReported() throws Exception {
        assertThat(underLiveRulesAfter("")).hasSize(1);
    }

    @Test
    void aLiveDisableSilencesTheRule() throws Exception {
        String yaml = "rules:\n  workload-credentials-outside: {enabled: false}\n";
        assertThat(underLiveRulesAfter(yaml)).as(yaml).hasSize(0);
    }

    @Test
    void aLiveAllowlistApplies() throws Exception {
        String yaml = "allowlist:\n  trustedCidrs: [104.102.0.0/16]\n";
        assertThat(underLiveRulesAfter(yaml)).as(yaml).hasSize(0);
    }

    @Test
    void theDecoderReportsEachSessionKeysFirstSightingWithThePrefilterOnOrOff() {
        String file =
                CloudTrailRecords.logFile(
                        logs("fn", 30, "34.234.236.212", LAMBDA_UA),
                        logs("fn", 40, "34.234.236.212", LAMBDA_UA),
                        logs("fn", 10, "34.234.236.212", LAMBDA_UA),
                        logs("other", 20, "3.3.3.3", LAMBDA_UA),
                        logs("fn", 50, "34.234.236.212", LAMBDA_UA),
                        CloudTrailRecords.record("ListImages")
                                .assumedRole(CloudTrailRecords.ACCOUNT, "fn-role", "fn")
                                .time(T0.plusSeconds(60))
                                .eventId("ecr"));
        // decode() also holds the prefiltered decode to the same origins.
        CollectingOutput out = CollectingOutput.decode(file.getBytes(StandardCharsets.UTF_8));
        assertThat(out.origins())
                .extracting(EcrEvent::eventId)
                .containsExactly("logs-fn-30", "logs-fn-10", "logs-other-20");
        CollectingOutput fast =
                CollectingOutput.decode(file.getBytes(StandardCharsets.UTF_8), true);
        assertThat(fast.prefilteredCount())
                .as("later records of a known key are not parsed")
                .isEqualTo(2);
    }

    @Test
    void everySourceAddressFormIsClassified() {
        String[][] cases = {
            {"104.102.221.250", "104.102.0.0/16", "true"},
            {"10.1.2.3", "private", "false"},
            {"172.20.1.1", "private", "false"},
            {"172.32.1.1", "172.32.0.0/16", "true"},
            {"192.168.0.9", "private", "false"},
            {"2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3::/48", "true"},
            {"fd00:1:2::1", "private", "false"},
            {"lambda.amazonaws.com", "aws", "false"},
            {"AWS Internal", "aws", "false"},
            {"99999999999.1.2.3", "aws", "false"},
            {"1.2.3", "aws", "false"},
            {"1.2.3.4.", "aws", "false"},
            {"256.1.2.3", "aws", "false"},
            {"", "aws", "false"}
        };
        for (String[] c : cases) {
            EcrEvent e = ecr("s", "ListImages", 0, c[0], LAPTOP_CLI);
            assertThat(WorkloadCredentialsOutside.network(e)).as(c[0]).isEqualTo(c[1]);
            assertThat(WorkloadCredentialsOutside.fromPublicAddress(e))
                    .as(c[0])
                    .isEqualTo(Boolean.parseBoolean(c[2]));
        }
    }
}
