package io.layerwatch.infra;

import static io.layerwatch.infra.TemplatesTest.CENTRAL;
import static io.layerwatch.infra.TemplatesTest.INFRA;
import static io.layerwatch.infra.TemplatesTest.read;
import static io.layerwatch.infra.TemplatesTest.resources;
import static io.layerwatch.infra.TemplatesTest.resourcesOfType;
import static io.layerwatch.infra.TemplatesTest.strings;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.pipeline.Counters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The central stack as an AWS security review wants it: alarms on every part of the pipeline, a
 * logs destination only the trail accounts can use, trust by source ARN, retained key, a protected
 * artifact bucket with a pinned jar, dead-letter queues on every EventBridge target, and scan-event
 * rules whatever the feed shape.
 */
class CentralTemplateTest {

    static final Path ARTIFACTS = INFRA.resolve("layerwatch-artifacts.yaml");

    private final JsonNode t = read(CENTRAL);

    private JsonNode resource(String logicalId) {
        JsonNode r = resources(t).get(logicalId);
        assertThat(r).as(logicalId).isNotNull();
        return r;
    }

    private static String ref(String name) {
        return "{\"Ref\":\"" + name + "\"}";
    }

    @Test
    void theBuiltInRulesMapTheStacksSecurityHubCustomAction() {
        String id = resource("RemediateAction").at("/Properties/Id").asText();
        assertThat(RulesConfigLoader.builtIn().remediation().customActions())
                .containsEntry(id, RemediationConfig.QUARANTINE_REPOSITORY);
    }

    @Test
    void theApplicationDecryptsOnlyTheAssessmentSecretThroughSecretsManager() {
        JsonNode statements =
                resource("ApplicationAssessmentSecretPolicy")
                        .at("/Properties/PolicyDocument/Statement");
        JsonNode decrypt = null;
        for (JsonNode s : statements) {
            if ("kms:Decrypt".equals(s.path("Action").asText())) {
                decrypt = s;
            }
        }
        assertThat(decrypt).as("kms:Decrypt statement").isNotNull();
        JsonNode equals = decrypt.at("/Condition/StringEquals");
        assertThat(equals.path("kms:EncryptionContext:SecretARN").toString())
                .isEqualTo(ref("ImageAssessmentSecretArn"));
        assertThat(equals.path("kms:ViaService").toString())
                .contains("secretsmanager.${Region}.amazonaws.com");
    }

    // ---- alarms
    // ---------------------------------------------------------------------------------------------

    /** Every alarm of the stack: namespace and metric it watches. */
    static final Map<String, List<String>> ALARMS = alarms();

    private static Map<String, List<String>> alarms() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("ApplicationDowntimeAlarm", List.of("AWS/KinesisAnalytics", "downtime"));
        m.put(
                "CheckpointFailuresAlarm",
                List.of("AWS/KinesisAnalytics", "numberOfFailedCheckpoints"));
        m.put("RestartsAlarm", List.of("AWS/KinesisAnalytics", "fullRestarts"));
        m.put("SourceLagAlarm", List.of("AWS/KinesisAnalytics", "millisBehindLatest"));
        m.put(
                "StreamIteratorAgeAlarm",
                List.of("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds"));
        m.put(
                "StreamReadThrottlingAlarm",
                List.of("AWS/Kinesis", "ReadProvisionedThroughputExceeded"));
        m.put(
                "StreamWriteThrottlingAlarm",
                List.of("AWS/Kinesis", "WriteProvisionedThroughputExceeded"));
        m.put("LocalApiCallsFailedInvocationsAlarm", List.of("AWS/Events", "FailedInvocations"));
        m.put("LocalScanEventsFailedInvocationsAlarm", List.of("AWS/Events", "FailedInvocations"));
        m.put(
                "ForwardedApiCallsFailedInvocationsAlarm",
                List.of("AWS/Events", "FailedInvocations"));
        m.put(
                "ForwardedScanEventsFailedInvocationsAlarm",
                List.of("AWS/Events", "FailedInvocations"));
        m.put(
                "SecurityHubActionFailedInvocationsAlarm",
                List.of("AWS/Events", "FailedInvocations"));
        m.put("TrailSubscriptionDeliveryErrorsAlarm", List.of("AWS/Logs", "DeliveryErrors"));
        m.put("EventsDeadLetterAlarm", List.of("AWS/SQS", "ApproximateNumberOfMessagesVisible"));
        m.put("SinkDeadLetterQueueAlarm", List.of("AWS/SQS", "ApproximateNumberOfMessagesVisible"));
        // LayerWatch's own metrics (Counters / SinkMetrics / RulesReloadReader), published by MSF.
        m.put("InputDeadLetteredAlarm", List.of("AWS/KinesisAnalytics", Counters.DEAD_LETTERED));
        m.put("SinkDeadLetteredAlarm", List.of("AWS/KinesisAnalytics", "sinkDeadLettered"));
        m.put("RulesRejectedAlarm", List.of("AWS/KinesisAnalytics", "rulesRejected"));
        return m;
    }

    /** The watched metric: the alarm's own, or the one MetricStat of a metric-math alarm. */
    private static JsonNode metric(JsonNode alarmProperties) {
        if (alarmProperties.has("MetricName")) {
            return alarmProperties;
        }
        JsonNode found = null;
        for (JsonNode q : alarmProperties.path("Metrics")) {
            JsonNode insights = insightsQuery(q);
            if (insights != null) {
                assertThat(found).as("one metric per alarm").isNull();
                found = insights;
            } else if (q.has("MetricStat")) {
                assertThat(found).as("one metric per alarm").isNull();
                found = q.at("/MetricStat/Metric");
            }
        }
        assertThat(found).as("MetricStat").isNotNull();
        return found;
    }

    private static final Pattern INSIGHTS =
            Pattern.compile(
                    "SELECT SUM\\((\\w+)\\) FROM SCHEMA\\(\"([^\"]+)\",([^)]*)\\) WHERE (.*)");
    private static final Pattern EQUALS = Pattern.compile("(\\w+) = '([^']*)'");

    /**
     * A Metrics Insights query ({@code Fn::Sub} text) as a metric: namespace, metric name and the
     * WHERE equalities as dimensions (values as JSON strings); the SCHEMA must name every
     * equality's dimension. Null for other queries.
     */
    private static JsonNode insightsQuery(JsonNode query) {
        String text =
                query.path("Expression").path("Fn::Sub").asText("").replaceAll("\\s+", " ").trim();
        Matcher m = INSIGHTS.matcher(text);
        if (!m.matches()) {
            return null;
        }
        List<String> schema = Arrays.stream(m.group(3).split(",")).map(String::trim).toList();
        ObjectNode metric =
                JsonNodeFactory.instance
                        .objectNode()
                        .put("Namespace", m.group(2))
                        .put("MetricName", m.group(1));
        ArrayNode dims = metric.putArray("Dimensions");
        Matcher eq = EQUALS.matcher(m.group(4));
        while (eq.find()) {
            assertThat(schema).as(text).contains(eq.group(1));
            dims.addObject().put("Name", eq.group(1)).put("Value", eq.group(2));
        }
        return metric;
    }

    private static Map<String, String> dimensions(JsonNode metric) {
        Map<String, String> out = new LinkedHashMap<>();
        metric.path("Dimensions")
                .forEach(d -> out.put(d.get("Name").asText(), d.get("Value").toString()));
        return out;
    }

    /** The template's alarms by logical id. */
    private Map<String, JsonNode> alarmResources() {
        Map<String, JsonNode> alarms = new LinkedHashMap<>();
        resourcesOfType(t, "AWS::CloudWatch::Alarm")
                .forEach(e -> alarms.put(e.getKey(), e.getValue()));
        return alarms;
    }

    @Test
    void everyAlarmNotifiesTheOpsTopic() {
        alarmResources()
                .forEach(
                        (id, alarm) ->
                                assertThat(alarm.at("/Properties/AlarmActions").toString())
                                        .as(id)
                                        .isEqualTo("[" + ref("OpsTopic") + "]"));
    }

    @Test
    void everyAlarmFiresOnARiseOfItsMetricOrAMissingDowntime() {
        Map<String, JsonNode> alarms = alarmResources();
        alarms.forEach(
                (id, alarm) ->
                        assertThat(alarm.at("/Properties/ComparisonOperator").asText())
                                .as(id)
                                .isEqualTo("GreaterThanThreshold"));
        // Counters are totals since the job started: their alarms fire on an increase.
        for (String id :
                List.of(
                        "CheckpointFailuresAlarm",
                        "RestartsAlarm",
                        "InputDeadLetteredAlarm",
                        "SinkDeadLetteredAlarm",
                        "RulesRejectedAlarm")) {
            assertThat(alarms.get(id).at("/Properties/Metrics").toString())
                    .as(id)
                    .contains("RATE(");
        }
        // A stopped application publishes nothing: that is downtime too.
        assertThat(
                        alarms.get("ApplicationDowntimeAlarm")
                                .at("/Properties/TreatMissingData")
                                .asText())
                .isEqualTo("breaching");
    }

    @Test
    void everyAlarmWatchesItsMetric() {
        Map<String, JsonNode> alarms = alarmResources();
        assertThat(alarms.keySet()).containsExactlyInAnyOrderElementsOf(ALARMS.keySet());
        alarms.forEach(
                (id, alarm) -> {
                    JsonNode p = alarm.get("Properties");
                    JsonNode m = metric(p);
                    assertThat(List.of(m.get("Namespace").asText(), m.get("MetricName").asText()))
                            .as(id)
                            .isEqualTo(ALARMS.get(id));
                    Map<String, String> dims = dimensions(m);
                    switch (m.get("Namespace").asText()) {
                        // MSF's dimension is the application name; LayerWatch's metrics carry no
                        // user dimension.
                        case "AWS/KinesisAnalytics" ->
                                assertThat(dims)
                                        .as(id)
                                        .isEqualTo(Map.of("Application", ref("Application")));
                        case "AWS/Kinesis" ->
                                assertThat(dims)
                                        .as(id)
                                        .isEqualTo(Map.of("StreamName", ref("EventsStream")));
                        // CloudWatch Logs' three dimensions, matched by a query on the log group
                        // and this stack's filter.
                        case "AWS/Logs" ->
                                assertThat(dims)
                                        .as(id)
                                        .isEqualTo(
                                                Map.of(
                                                        "LogGroupName",
                                                        "\"${OrgTrailLogGroupName}\"",
                                                        "FilterName",
                                                        resource("LocalTrailSubscription")
                                                                .at(
                                                                        "/Properties/FilterName/Fn::Sub")
                                                                .toString()));
                        case "AWS/SQS" ->
                                assertThat(dims.keySet()).as(id).containsExactly("QueueName");
                        case "AWS/Events" -> assertThat(dims).as(id).containsKey("RuleName");
                        default ->
                                throw new AssertionError(
                                        id + ": unexpected namespace " + m.get("Namespace"));
                    }
                });
    }

    /** The EventBridge rule each failed-invocations alarm watches. */
    private static final Map<String, String> RULE_OF_ALARM =
            Map.of(
                    "LocalApiCallsFailedInvocationsAlarm",
                    "LocalEcrEventsRule",
                    "LocalScanEventsFailedInvocationsAlarm",
                    "LocalScanEventsRule",
                    "ForwardedApiCallsFailedInvocationsAlarm",
                    "ForwardedEcrEventsRule",
                    "ForwardedScanEventsFailedInvocationsAlarm",
                    "ForwardedScanEventsRule",
                    "SecurityHubActionFailedInvocationsAlarm",
                    "SecurityHubActionRule");

    @Test
    void eachRuleAlarmWatchesTheMetricOfItsRule() {
        assertThat(RULE_OF_ALARM.values())
                .containsExactlyInAnyOrderElementsOf(
                        resourcesOfType(t, "AWS::Events::Rule").stream()
                                .map(Map.Entry::getKey)
                                .toList());
        RULE_OF_ALARM.forEach(
                (alarmId, ruleId) -> {
                    JsonNode alarm = resource(alarmId);
                    JsonNode rule = resource(ruleId);
                    Map<String, String> dims = dimensions(metric(alarm.get("Properties")));
                    boolean defaultBus =
                            "default".equals(rule.at("/Properties/EventBusName").asText());
                    if (defaultBus) {
                        // Ref of a default-bus rule is its name; metrics of default-bus rules have
                        // RuleName only.
                        assertThat(dims).as(alarmId).isEqualTo(Map.of("RuleName", ref(ruleId)));
                    } else {
                        // Ref of a custom-bus rule is "bus|rule": the alarm spells the name, with
                        // the bus dimension.
                        assertThat(dims)
                                .as(alarmId)
                                .isEqualTo(
                                        Map.of(
                                                "EventBusName",
                                                ref("EventBus"),
                                                "RuleName",
                                                rule.at("/Properties/Name").toString()));
                    }
                });
    }

    @Test
    void eachAlarmExistsExactlyWhenWhatItWatchesDoes() {
        RULE_OF_ALARM.forEach(
                (alarmId, ruleId) ->
                        assertThat(resource(alarmId).path("Condition").asText())
                                .as(alarmId)
                                .isEqualTo(resource(ruleId).path("Condition").asText()));
        assertThat(resource("TrailSubscriptionDeliveryErrorsAlarm").path("Condition").asText())
                .isEqualTo(resource("LocalTrailSubscription").path("Condition").asText());
        assertThat(resource("SinkDeadLetterQueueAlarm").path("Condition").asText())
                .isEqualTo(resource("DeadLetterQueue").path("Condition").asText());
    }

    @Test
    void theOpsTopicIsEncryptedWithAKeyCloudWatchMayUse() {
        JsonNode topic = resource("OpsTopic").get("Properties");
        assertThat(topic.get("KmsMasterKeyId").toString()).isEqualTo(ref("Key"));
        // CloudWatch must be able to use the key of the encrypted topic.
        assertThat(resource("Key").at("/Properties/KeyPolicy").toString())
                .contains("cloudwatch.amazonaws.com");
    }

    @Test
    void theOpsTopicAcceptsOnlyThisAccountsAlarms() {
        String policy = resource("OpsTopicPolicy").at("/Properties/PolicyDocument").toString();
        assertThat(policy)
                .contains("cloudwatch.amazonaws.com")
                .contains("aws:SourceAccount")
                .contains(":alarm:*");
    }

    @Test
    void theOpsEmailIsSubscribedOnlyWhenGiven() {
        JsonNode email = resource("OpsEmailSubscription");
        assertThat(email.get("Condition").asText()).isEqualTo("HasOpsEmail");
        assertThat(email.at("/Properties/Endpoint").toString()).isEqualTo(ref("OpsEmail"));
        assertThat(t.at("/Parameters/OpsEmail/Default").asText()).isEmpty();
    }

    // ---- the trail's CloudWatch Logs feed
    // -------------------------------------------------------------------

    @Test
    void theLogsDestinationAdmitsOnlyTheTrailAccounts() throws IOException {
        JsonNode destination = resource("TrailLogsDestination");
        JsonNode sub = destination.at("/Properties/DestinationPolicy/Fn::Sub");
        JsonNode policy = new ObjectMapper().readTree(sub.get(0).asText());
        assertThat(policy.get("Statement")).hasSize(1);
        JsonNode s = policy.at("/Statement/0");
        assertThat(s.get("Action").asText()).isEqualTo("logs:PutSubscriptionFilter");
        assertThat(s.at("/Principal/AWS").toString()).isEqualTo("[\"${Senders}\"]");
        assertThat(s.has("Condition")).as("no organization-wide condition").isFalse();
        assertThat(sub.get(1).get("Senders").toString())
                .isEqualTo(
                        "{\"Fn::Join\":[\"\\\",\\\"\",{\"Fn::Split\":[\",\",{\"Ref\":\"TrailAccountIds\"}]}]}");
        assertThat(t.at("/Parameters/TrailAccountIds/AllowedPattern").asText())
                .isEqualTo("^$|^[0-9]{12}(,[0-9]{12})*$");
        assertThat(t.at("/Conditions/TrailLogsDestination").toString())
                .contains("HasTrailAccounts");
    }

    @Test
    void theDestinationRoleTrustsCloudWatchLogsBySourceArnOfSendersAndRecipient() {
        JsonNode role = resource("DestinationLogsToStreamRole");
        assertThat(role.get("Condition").asText()).isEqualTo("TrailLogsDestination");
        JsonNode trust = role.at("/Properties/AssumeRolePolicyDocument/Statement");
        assertThat(trust).hasSize(1);
        assertThat(trust.at("/0/Principal/Service").asText()).isEqualTo("logs.amazonaws.com");
        String condition = trust.at("/0/Condition").toString();
        assertThat(condition).doesNotContain("aws:SourceOrgID").doesNotContain("aws:SourceAccount");
        JsonNode sourceArn = trust.at("/0/Condition/StringLike/aws:SourceArn");
        assertThat(sourceArn.has("Fn::Split")).isTrue();
        String arns = sourceArn.toString();
        assertThat(arns)
                .contains("TrailAccountIds") // the senders' log ARNs
                .contains("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*"); // the
        // recipient's
    }

    @Test
    void theJobAcceptsCloudWatchLogsRecordsOnlyFromTheTrailAccountsAndLogGroup() {
        JsonNode source =
                resource("Application")
                        .at(
                                "/Properties/ApplicationConfiguration/EnvironmentProperties/PropertyGroups/1/PropertyMap");
        assertThat(source.get("cloudwatch.logs.owners").toString())
                .isEqualTo(
                        "{\"Fn::If\":[\"TrailLogsFeed\","
                                + "{\"Fn::If\":[\"HasTrailAccounts\","
                                + ref("TrailAccountIds")
                                + ","
                                + ref("AWS::AccountId")
                                + "]},"
                                + ref("AWS::NoValue")
                                + "]}");
        assertThat(source.get("cloudwatch.logs.log.groups").toString())
                .isEqualTo(
                        "{\"Fn::If\":[\"TrailLogsFeed\","
                                + ref("OrgTrailLogGroupName")
                                + ","
                                + ref("AWS::NoValue")
                                + "]}");
        // With a CloudWatch Logs feed the log group is required, before anything is created.
        JsonNode rule = t.at("/Rules/TrailLogsNeedTheirLogGroup");
        assertThat(rule.get("RuleCondition").toString())
                .contains("cloudwatch-logs")
                .contains("both");
        assertThat(rule.at("/Assertions/0/Assert").toString())
                .contains(ref("OrgTrailLogGroupName"));
        assertThat(rule.at("/Assertions/0/AssertDescription").asText())
                .startsWith("OrgTrailLogGroupName: required");
    }

    @Test
    void findingsAreImportedByTheCentralAccountIntoTheHubRegion() {
        JsonNode sinks =
                resource("Application")
                        .at(
                                "/Properties/ApplicationConfiguration/EnvironmentProperties/PropertyGroups/2/PropertyMap");
        assertThat(sinks.get("securityhub.hub.account.id").toString())
                .isEqualTo(ref("AWS::AccountId"));
        String region =
                "{\"Fn::If\":[\"HasSecurityHubRegion\","
                        + ref("SecurityHubRegion")
                        + ","
                        + ref("AWS::Region")
                        + "]}";
        assertThat(sinks.get("securityhub.hub.region").toString()).isEqualTo(region);
        // The import permission follows the hub region.
        assertThat(TemplatesTest.statements(t))
                .anySatisfy(
                        s -> {
                            assertThat(s.actions())
                                    .containsExactly("securityhub:BatchImportFindings");
                            assertThat(s.node().get("Resource").toString()).contains(region);
                        });
    }

    // ---- retention
    // ------------------------------------------------------------------------------------------

    @Test
    void theKeyIsRetainedLikeEverythingItEncryptsThatIsKept() {
        JsonNode key = resource("Key");
        assertThat(key.path("DeletionPolicy").asText()).isEqualTo("Retain");
        assertThat(key.path("UpdateReplacePolicy").asText()).isEqualTo("Retain");
        int kept = 0;
        for (String type : List.of("AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::Logs::LogGroup")) {
            for (Map.Entry<String, JsonNode> r : resourcesOfType(t, type)) {
                assertThat(r.getValue().path("DeletionPolicy").asText())
                        .as(r.getKey())
                        .isEqualTo("Retain");
                assertThat(r.getValue().path("UpdateReplacePolicy").asText())
                        .as(r.getKey())
                        .isEqualTo("Retain");
                assertThat(r.getValue().get("Properties").toString())
                        .as(r.getKey() + " is encrypted with the key")
                        .containsAnyOf(ref("Key"), "{\"Fn::GetAtt\":[\"Key\",\"Arn\"]}");
                kept++;
            }
        }
        assertThat(kept)
                .isEqualTo(
                        5); // dead-letter bucket and queue, event dead letters, audit bucket, app
        // log
    }

    @Test
    void auditRecordsAreLockedForTheirOwnRetention() {
        JsonNode bucket = resource("AuditBucket").get("Properties");
        assertThat(bucket.get("ObjectLockEnabled").asBoolean()).isTrue();
        JsonNode retention = bucket.at("/ObjectLockConfiguration/Rule/DefaultRetention");
        assertThat(retention.get("Days").toString()).isEqualTo(ref("AuditRetentionDays"));
        assertThat(retention.get("Mode").toString()).isEqualTo(ref("AuditLockMode"));
        assertThat(bucket.at("/LifecycleConfiguration/Rules/0/ExpirationInDays").toString())
                .isEqualTo(ref("AuditRetentionDays"));
        assertThat(t.at("/Parameters/AuditLockMode/AllowedValues").toString())
                .isEqualTo("[\"GOVERNANCE\",\"COMPLIANCE\"]");
        assertThat(bucket.toString()).doesNotContain("DeadLetterRetentionDays");
    }

    @Test
    void safeDefaultsForRetentionScalingAndRollback() {
        assertThat(t.at("/Parameters/StreamRetentionHours/Default").asInt()).isGreaterThan(24);
        assertThat(t.at("/Parameters/AutoScalingEnabled/Default").asText()).isEqualTo("true");
        assertThat(
                        resource("Application")
                                .at(
                                        "/Properties/ApplicationConfiguration/ApplicationSystemRollbackConfiguration/RollbackEnabled")
                                .asBoolean())
                .isTrue();
    }

    // ---- artifacts
    // --------------------------------------------------------------------------------------------

    @Test
    void theArtifactBucketIsVersionedTlsOnlyAndWritableOnlyByTheDeployPrincipals() {
        JsonNode a = read(ARTIFACTS);
        JsonNode bucket = TemplatesTest.single(a, "AWS::S3::Bucket");
        assertThat(bucket.path("DeletionPolicy").asText()).isEqualTo("Retain");
        assertThat(bucket.at("/Properties/VersioningConfiguration/Status").asText())
                .isEqualTo("Enabled");
        assertThat(bucket.at("/Properties/PublicAccessBlockConfiguration").toString())
                .doesNotContain("false");
        assertThat(a.at("/Parameters/DeployPrincipalArns").has("Default"))
                .as("deployers must be named")
                .isFalse();

        List<TemplatesTest.Statement> policy = TemplatesTest.statements(a);
        assertThat(policy)
                .as("the bucket policy only denies")
                .allSatisfy(s -> assertThat(s.allows()).isFalse());
        assertThat(policy)
                .anySatisfy(
                        s -> {
                            assertThat(s.actions()).contains("s3:GetObject", "s3:PutObject");
                            assertThat(s.node().at("/Condition/Bool/aws:SecureTransport").asText())
                                    .isEqualTo("false");
                        });
        assertThat(policy)
                .anySatisfy(
                        s -> {
                            assertThat(s.actions())
                                    .contains(
                                            "s3:PutObject",
                                            "s3:DeleteObject",
                                            "s3:DeleteObjectVersion");
                            assertThat(s.node().path("Principal").asText()).isEqualTo("*");
                            assertThat(
                                            s.node()
                                                    .at("/Condition/ArnNotLike/aws:PrincipalArn")
                                                    .toString())
                                    .isEqualTo(
                                            "{\"Fn::Split\":[\",\","
                                                    + ref("DeployPrincipalArns")
                                                    + "]}");
                        });
        assertThat(policy)
                .anySatisfy(s -> assertThat(s.actions()).contains("s3:PutBucketVersioning"));
        assertThat(a.at("/Outputs/ArtifactBucketName/Value").toString())
                .isEqualTo(ref("ArtifactBucket"));
    }

    @Test
    void theJarVersionIsRequiredAndPinned() {
        JsonNode version = t.at("/Parameters/JarObjectVersion");
        assertThat(version.has("Default")).isFalse();
        assertThat(version.get("MinLength").asInt()).isEqualTo(1);
        assertThat(
                        resource("Application")
                                .at(
                                        "/Properties/ApplicationConfiguration/ApplicationCodeConfiguration/CodeContent/S3ContentLocation/ObjectVersion")
                                .toString())
                .isEqualTo(ref("JarObjectVersion"));
        assertThat(t.at("/Parameters/ArtifactBucket/Description").asText())
                .contains("layerwatch-artifacts.yaml");
    }

    // ---- EventBridge
    // ------------------------------------------------------------------------------------------

    @Test
    void everyEventBridgeTargetRetriesThenDeadLetters() {
        List<Map.Entry<String, JsonNode>> rules = resourcesOfType(t, "AWS::Events::Rule");
        assertThat(rules).hasSize(5);
        for (Map.Entry<String, JsonNode> rule : rules) {
            JsonNode targets = rule.getValue().at("/Properties/Targets");
            assertThat(targets.size()).as(rule.getKey()).isPositive();
            for (JsonNode target : targets) {
                assertThat(target.at("/DeadLetterConfig/Arn").toString())
                        .as(rule.getKey())
                        .isEqualTo("{\"Fn::GetAtt\":[\"EventsDeadLetterQueue\",\"Arn\"]}");
                assertThat(target.at("/RetryPolicy/MaximumEventAgeInSeconds").asInt())
                        .as(rule.getKey())
                        .isEqualTo(86400);
            }
            // The queue policy admits rules named ${ApplicationName}-*.
            assertThat(rule.getValue().at("/Properties/Name/Fn::Sub").asText())
                    .as(rule.getKey())
                    .startsWith("${ApplicationName}-");
        }
        String queuePolicy =
                resource("EventsDeadLetterQueuePolicy").at("/Properties/PolicyDocument").toString();
        assertThat(queuePolicy)
                .contains("events.amazonaws.com")
                .contains(":rule/${ApplicationName}-*");
        assertThat(resource("Key").at("/Properties/KeyPolicy").toString())
                .contains("events.amazonaws.com");
    }

    @Test
    void scanEventRulesExistWhateverTheFeedShape() {
        int scanRules = 0;
        for (Map.Entry<String, JsonNode> rule : resourcesOfType(t, "AWS::Events::Rule")) {
            List<String> types =
                    strings(rule.getValue().at("/Properties/EventPattern/detail-type"));
            if (types.contains("ECR Image Scan") || types.contains("Inspector2 Scan")) {
                assertThat(rule.getValue().has("Condition")).as(rule.getKey()).isFalse();
                assertThat(types).as(rule.getKey()).doesNotContain("AWS API Call via CloudTrail");
                scanRules++;
            }
        }
        assertThat(scanRules).as("this account's default bus and the forwarding bus").isEqualTo(2);
        // ... and so does what they need.
        for (String needed : List.of("EventBus", "EventsToStreamRole", "EventsDeadLetterQueue")) {
            assertThat(resource(needed).has("Condition")).as(needed).isFalse();
        }
    }
}
