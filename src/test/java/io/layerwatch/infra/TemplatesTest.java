package io.layerwatch.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.streaming.RuntimeProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Structure of the CloudFormation templates in infra/ (scripts/cfn-lint.sh validates them with
 * AWS's cfn-lint against the CloudFormation resource schemas; these tests check what a linter does
 * not: least privilege, parameters in use, outputs, and that the Flink application gets exactly the
 * runtime properties the job reads).
 */
class TemplatesTest {

    static final Path INFRA = Paths.get("infra");
    static final Path CENTRAL = INFRA.resolve("layerwatch-central.yaml");
    static final Path MEMBER = INFRA.resolve("layerwatch-member.yaml");

    /**
     * The runtime property groups and keys the streaming job reads ({@link
     * RuntimeProperties#GROUPS}, the one list both sides follow), less the local-only endpoint
     * override. Keys the template sets only under a condition are absent otherwise: Managed Service
     * for Apache Flink refuses empty property values, so "absent" means "not configured" (the job's
     * defaults).
     */
    static final Map<String, List<String>> RUNTIME_PROPERTIES = runtimeProperties();

    private static Map<String, List<String>> runtimeProperties() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        RuntimeProperties.GROUPS.forEach(
                (group, keys) ->
                        m.put(
                                group,
                                keys.stream()
                                        .filter(
                                                k ->
                                                        !(group.equals(
                                                                        RuntimeProperties
                                                                                .KINESIS_SOURCE)
                                                                && k.equals(
                                                                        RuntimeProperties
                                                                                .ENDPOINT)))
                                        .toList()));
        return m;
    }

    /**
     * Actions IAM accepts only with Resource "*" (no resource type in the service authorization
     * reference).
     */
    static final Set<String> NO_RESOURCE_LEVEL =
            Set.of(
                    "ecr:GetAuthorizationToken",
                    "ecr:GetRegistryPolicy",
                    "ecr:PutRegistryPolicy",
                    "ecr:DeleteRegistryPolicy");

    /** What each remediation action calls in the target account (docs/remediation.md's table). */
    static final Map<String, List<String>> REMEDIATION_PERMISSIONS =
            Map.of(
                    "quarantine-repository",
                            List.of(
                                    "ecr:GetRepositoryPolicy",
                                    "ecr:SetRepositoryPolicy",
                                    "ecr:DeleteRepositoryPolicy"),
                    "remove-exposing-statements",
                            List.of(
                                    "ecr:GetRepositoryPolicy",
                                    "ecr:SetRepositoryPolicy",
                                    "ecr:DeleteRepositoryPolicy",
                                    "ecr:GetRegistryPolicy",
                                    "ecr:PutRegistryPolicy",
                                    "ecr:DeleteRegistryPolicy"),
                    "deny-layer-download",
                            List.of(
                                    "iam:ListAttachedRolePolicies",
                                    "iam:AttachRolePolicy",
                                    "iam:DetachRolePolicy",
                                    "iam:ListAttachedUserPolicies",
                                    "iam:AttachUserPolicy",
                                    "iam:DetachUserPolicy"),
                    "revoke-sessions",
                            List.of(
                                    "iam:GetRolePolicy",
                                    "iam:PutRolePolicy",
                                    "iam:DeleteRolePolicy"));

    /**
     * The role each action assumes: revoke-sessions its own opt-in role, the others the remediation
     * role.
     */
    static String remediationRoleOf(String action) {
        return action.equals("revoke-sessions") ? "RevokeSessionsRole" : "RemediationRole";
    }

    /** ECR actions that change something: only remediation roles may hold any of them. */
    static final Pattern ECR_WRITE =
            Pattern.compile(
                    "ecr:(Set|Delete|Put|Create|Update|Start|Initiate|Upload|Complete|"
                            + "Replicate|Tag|Untag|Batch(Delete))\\w*");

    static Stream<Path> templates() throws IOException {
        try (Stream<Path> files = Files.list(INFRA)) {
            List<Path> list = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            assertThat(list).as("templates in infra/").hasSizeGreaterThanOrEqualTo(5);
            return list.stream();
        }
    }

    static ObjectNode read(Path template) {
        return CfnYaml.read(template);
    }

    static JsonNode resources(JsonNode t) {
        return t.get("Resources");
    }

    static List<Map.Entry<String, JsonNode>> resourcesOfType(JsonNode t, String type) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        resources(t)
                .fields()
                .forEachRemaining(
                        e -> {
                            if (type.equals(e.getValue().path("Type").asText())) {
                                out.add(e);
                            }
                        });
        return out;
    }

    // ---- reading
    // ---------------------------------------------------------------------------------------------

    @Test
    void shortFormTagsAreReadAsIntrinsicFunctions() throws IOException {
        String yaml =
                "A: !Ref B\nC: !GetAtt Stream.Arn\nD: !If [Cond, !Sub 'x-${B}', !Ref AWS::NoValue]\n"
                        + "E: !Not [{Condition: F}]\nG: !Condition H\n";
        // What plain Jackson does: the tag is silently dropped (why the templates are read with
        // CfnYaml).
        JsonNode plain = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        assertThat(plain.get("A").asText()).isEqualTo("B");

        ObjectNode t = CfnYaml.parse(yaml);
        assertThat(t.get("A").toString()).isEqualTo("{\"Ref\":\"B\"}");
        assertThat(t.get("C").toString()).isEqualTo("{\"Fn::GetAtt\":[\"Stream\",\"Arn\"]}");
        assertThat(t.get("D").toString())
                .isEqualTo(
                        "{\"Fn::If\":[\"Cond\",{\"Fn::Sub\":\"x-${B}\"},{\"Ref\":\"AWS::NoValue\"}]}");
        assertThat(t.get("E").toString()).isEqualTo("{\"Fn::Not\":[{\"Condition\":\"F\"}]}");
        assertThat(t.get("G").toString()).isEqualTo("{\"Condition\":\"H\"}");
    }

    // ---- every template
    // --------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("templates")
    void isAWellFormedTemplate(Path template) {
        JsonNode t = read(template);
        assertThat(t.path("AWSTemplateFormatVersion").asText()).isEqualTo("2010-09-09");
        assertThat(t.path("Description").asText()).isNotBlank();
        assertThat(resources(t).size()).isPositive();
        resources(t)
                .fields()
                .forEachRemaining(
                        r ->
                                assertThat(r.getValue().path("Type").asText())
                                        .as(r.getKey())
                                        .matches("AWS::\\w+::\\w+"));
        Set<String> fields = new LinkedHashSet<>();
        t.fieldNames().forEachRemaining(fields::add);
        assertThat(fields)
                .isSubsetOf(
                        "AWSTemplateFormatVersion",
                        "Description",
                        "Metadata",
                        "Parameters",
                        "Rules",
                        "Conditions",
                        "Resources",
                        "Outputs");
    }

    /** The names a template's Ref and Fn::Sub refer to, outside its Parameters section. */
    static Set<String> references(JsonNode t) {
        Set<String> used = new LinkedHashSet<>();
        JsonNode body = bodyWithoutParameters(t);
        for (JsonNode ref : CfnYaml.functions(body, "Ref")) {
            used.add(ref.asText());
        }
        CfnYaml.subReferences(body, used::add);
        return used;
    }

    @ParameterizedTest
    @MethodSource("templates")
    void everyParameterIsUsed(Path template) {
        JsonNode t = read(template);
        assertThat(references(t))
                .as("parameters used in " + template)
                .containsAll(names(t.get("Parameters")));
    }

    @ParameterizedTest
    @MethodSource("templates")
    void everyReferenceResolves(Path template) {
        JsonNode t = read(template);
        Set<String> parameters = names(t.get("Parameters"));
        Set<String> resourceNames = names(resources(t));
        for (JsonNode getAtt : CfnYaml.functions(bodyWithoutParameters(t), "Fn::GetAtt")) {
            assertThat(resourceNames)
                    .as("Fn::GetAtt " + getAtt + " in " + template)
                    .contains(getAtt.get(0).asText());
        }
        for (String name : references(t)) {
            String target = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
            assertThat(
                            parameters.contains(target)
                                    || resourceNames.contains(target)
                                    || target.startsWith("AWS::"))
                    .as("reference " + name + " in " + template + " resolves")
                    .isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("templates")
    void everyConditionIsDefinedAndUsed(Path template) {
        JsonNode t = read(template);
        Set<String> defined = names(t.get("Conditions"));
        Set<String> used = new LinkedHashSet<>();
        resources(t)
                .forEach(
                        r -> {
                            if (r.has("Condition")) {
                                used.add(r.get("Condition").asText());
                            }
                        });
        if (t.has("Outputs")) {
            t.get("Outputs")
                    .forEach(
                            o -> {
                                if (o.has("Condition")) {
                                    used.add(o.get("Condition").asText());
                                }
                            });
        }
        CfnYaml.functions(t, "Fn::If").forEach(f -> used.add(f.get(0).asText()));
        CfnYaml.functions(t, "Condition").forEach(c -> used.add(c.asText()));
        assertThat(defined).as("conditions of " + template).isEqualTo(used);
    }

    @ParameterizedTest
    @MethodSource("templates")
    void outputsTellUsersWhatTheyNeedNext(Path template) {
        JsonNode outputs = read(template).get("Outputs");
        assertThat(outputs).as("Outputs of " + template).isNotNull();
        assertThat(outputs.size()).isPositive();
        outputs.fields()
                .forEachRemaining(
                        o -> {
                            assertThat(o.getValue().path("Description").asText())
                                    .as(o.getKey())
                                    .isNotBlank();
                            assertThat(o.getValue().has("Value")).as(o.getKey()).isTrue();
                        });
    }

    @ParameterizedTest
    @MethodSource("templates")
    void noIamStatementHasAWildcardAction(Path template) {
        List<Statement> statements = statements(read(template));
        for (Statement s : statements) {
            assertThat(s.node().has("NotAction")).as(s.where() + ": NotAction").isFalse();
            assertThat(s.node().has("NotResource")).as(s.where() + ": NotResource").isFalse();
            assertThat(s.actions()).as(s.where() + ": actions").isNotEmpty();
            for (String action : s.actions()) {
                assertThat(action)
                        .as(s.where())
                        .matches("[a-z0-9-]+:[A-Za-z0-9]+")
                        .doesNotContain("*");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("templates")
    void allowStatementsNameTheirResources(Path template) {
        for (Statement s : statements(read(template))) {
            if (!s.allows() || s.trust()) {
                continue;
            }
            List<String> resources = strings(s.node().get("Resource"));
            if (s.resourcePolicy()) {
                // A key or secret policy: "*" means the key or secret it is attached to.
                continue;
            }
            assertThat(resources).as(s.where() + ": Resource").isNotEmpty();
            if (resources.contains("*")) {
                assertThat(NO_RESOURCE_LEVEL)
                        .as(s.where() + ": Resource \"*\" only for actions without resource types")
                        .containsAll(s.actions());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("templates")
    void serviceTrustIsLimitedToTheAccountOrOrganization(Path template) {
        for (Statement s : statements(read(template))) {
            if (!s.trust()) {
                continue;
            }
            JsonNode principal = s.node().path("Principal");
            String condition = s.node().path("Condition").toString();
            if (principal.has("Service")) {
                assertThat(condition)
                        .as(s.where() + ": confused-deputy condition")
                        .containsAnyOf("aws:SourceAccount", "aws:SourceOrgID", "aws:SourceArn");
            } else if (principal.path("AWS").toString().contains(":root")) {
                assertThat(condition)
                        .as(s.where() + ": another account's root needs an external id")
                        .contains("sts:ExternalId");
            } else {
                // one role: by ARN, or the application role of the same template
                assertThat(principal.path("AWS").toString())
                        .as(s.where())
                        .containsAnyOf(":role/", "Fn::GetAtt");
            }
        }
    }

    // ---- the central stack
    // -------------------------------------------------------------------------------------

    @Test
    void theStatementCollectorFindsEveryPolicyOfTheCentralStack() {
        List<Statement> all = statements(read(CENTRAL));
        Set<String> holders = new LinkedHashSet<>();
        all.forEach(s -> holders.add(s.resource()));
        assertThat(holders)
                .contains(
                        "Key",
                        "EventBusOrganizationPolicy",
                        "EventsToStreamRole",
                        "TrailLogsDestination",
                        "AlertsTopicPolicy",
                        "DeadLetterBucketPolicy",
                        "DeadLetterQueuePolicy",
                        "ApplicationRole",
                        "ApplicationRulesPolicy",
                        "ApplicationRemediationPolicy",
                        "RemediationRole");
        assertThat(all.stream().filter(Statement::trust).count())
                .isEqualTo(resourcesOfType(read(CENTRAL), "AWS::IAM::Role").size());
    }

    @Test
    void theFlinkApplicationGetsExactlyTheRuntimePropertiesTheJobReads() {
        JsonNode t = read(CENTRAL);
        JsonNode app = single(t, "AWS::KinesisAnalyticsV2::Application");
        JsonNode groups =
                app.at("/Properties/ApplicationConfiguration/EnvironmentProperties/PropertyGroups");
        Map<String, List<String>> actual = new LinkedHashMap<>();
        Map<String, String> conditionOf = new LinkedHashMap<>();
        for (JsonNode g : groups) {
            String condition = null;
            if (g.has("Fn::If")) {
                condition = g.get("Fn::If").get(0).asText();
                assertThat(g.get("Fn::If").get(2).toString())
                        .isEqualTo("{\"Ref\":\"AWS::NoValue\"}");
                g = g.get("Fn::If").get(1);
            }
            String id = g.get("PropertyGroupId").asText();
            List<String> keys = new ArrayList<>();
            g.get("PropertyMap")
                    .fields()
                    .forEachRemaining(
                            p -> {
                                keys.add(p.getKey());
                                assertThat(
                                                p.getValue().isTextual()
                                                        && p.getValue().asText().isEmpty())
                                        .as(
                                                id
                                                        + "."
                                                        + p.getKey()
                                                        + ": MSF refuses empty values; leave the key out instead")
                                        .isFalse();
                            });
            actual.put(id, keys);
            conditionOf.put(id, condition);
        }
        assertThat(actual).isEqualTo(RUNTIME_PROPERTIES);
        // The same, spelled out: what the issue fixed (and what the job's RuntimeProperties must
        // keep).
        assertThat(actual)
                .containsExactly(
                        Map.entry("LayerWatch", List.of("rules.uri", "rules.reload.interval")),
                        Map.entry(
                                "KinesisSource",
                                List.of(
                                        "stream.arn",
                                        "aws.region",
                                        "initial.position",
                                        "initial.timestamp",
                                        "efo.consumer.name",
                                        "cloudwatch.logs.owners",
                                        "cloudwatch.logs.log.groups")),
                        Map.entry(
                                "Sinks",
                                List.of(
                                        "enabled",
                                        "sns.topic.arn",
                                        "ocsf.target",
                                        "ocsf.stream.arn",
                                        "ocsf.firehose.name",
                                        "webhook.secret.arn",
                                        "deadletter.type",
                                        "deadletter.bucket",
                                        "deadletter.prefix",
                                        "deadletter.queue.url",
                                        "securityhub.hub.account.id",
                                        "securityhub.hub.region")),
                        Map.entry(
                                "Remediation",
                                List.of(
                                        "enabled",
                                        "execute",
                                        "assume.role.name",
                                        "revoke.role.name",
                                        "audit.bucket")));
        assertThat(conditionOf)
                .containsEntry("LayerWatch", null)
                .containsEntry("KinesisSource", null)
                .containsEntry("Sinks", null)
                .containsEntry("Remediation", "RemediationEnabled");
        assertThat(t.at("/Conditions/RemediationEnabled").toString())
                .isEqualTo("{\"Fn::Equals\":[{\"Ref\":\"EnableRemediation\"},\"true\"]}");
        assertThat(t.at("/Parameters/EnableRemediation/Default").asText()).isEqualTo("false");
    }

    @Test
    void theFlinkApplicationRunsFlink120WithCheckpointsLoggingAndParallelismParameters() {
        JsonNode t = read(CENTRAL);
        JsonNode props = single(t, "AWS::KinesisAnalyticsV2::Application").get("Properties");
        assertThat(props.get("RuntimeEnvironment").asText()).isEqualTo("FLINK-1_20");
        JsonNode flink = props.at("/ApplicationConfiguration/FlinkApplicationConfiguration");
        assertThat(flink.at("/CheckpointConfiguration/ConfigurationType").asText())
                .isEqualTo("CUSTOM");
        assertThat(flink.at("/CheckpointConfiguration/CheckpointingEnabled").asBoolean()).isTrue();
        assertThat(flink.at("/ParallelismConfiguration/Parallelism").toString())
                .isEqualTo("{\"Ref\":\"Parallelism\"}");
        assertThat(flink.at("/ParallelismConfiguration/ParallelismPerKPU").toString())
                .isEqualTo("{\"Ref\":\"ParallelismPerKPU\"}");
        assertThat(
                        props.at(
                                        "/ApplicationConfiguration/ApplicationSnapshotConfiguration/SnapshotsEnabled")
                                .asBoolean())
                .isTrue();
        JsonNode code = props.at("/ApplicationConfiguration/ApplicationCodeConfiguration");
        assertThat(code.get("CodeContentType").asText()).isEqualTo("ZIPFILE");
        assertThat(code.at("/CodeContent/S3ContentLocation/FileKey").toString())
                .isEqualTo("{\"Ref\":\"JarKey\"}");
        JsonNode logging =
                single(t, "AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption")
                        .get("Properties");
        assertThat(logging.get("ApplicationName").toString())
                .isEqualTo("{\"Ref\":\"Application\"}");
        assertThat(logging.at("/CloudWatchLoggingOption/LogStreamARN").toString())
                .contains("ApplicationLogGroup")
                .contains("ApplicationLogStream");
    }

    @Test
    void theCentralStackHasEveryComponentOfTheIssue() {
        JsonNode t = read(CENTRAL);
        JsonNode stream = single(t, "AWS::Kinesis::Stream").get("Properties");
        assertThat(stream.at("/StreamEncryption/EncryptionType").asText()).isEqualTo("KMS");
        assertThat(stream.at("/StreamModeDetails/StreamMode").toString())
                .isEqualTo("{\"Ref\":\"StreamMode\"}");
        assertThat(t.at("/Parameters/StreamMode/AllowedValues").toString())
                .isEqualTo("[\"ON_DEMAND\",\"PROVISIONED\"]");

        // EventBridge: ECR API calls (read-only ones too, for pulls), ECR and Inspector2 scans, the
        // custom action.
        Map<String, JsonNode> rules = new LinkedHashMap<>();
        resourcesOfType(t, "AWS::Events::Rule")
                .forEach(e -> rules.put(e.getKey(), e.getValue().get("Properties")));
        JsonNode local = rules.get("LocalEcrEventsRule");
        assertThat(local.get("State").asText())
                .isEqualTo("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
        assertThat(strings(local.at("/EventPattern/detail-type")))
                .contains("AWS API Call via CloudTrail");
        assertThat(strings(local.at("/EventPattern/source"))).contains("aws.ecr");
        JsonNode scans = rules.get("LocalScanEventsRule");
        assertThat(strings(scans.at("/EventPattern/detail-type")))
                .contains("ECR Image Scan", "Inspector2 Scan");
        assertThat(strings(scans.at("/EventPattern/source"))).contains("aws.ecr", "aws.inspector2");
        JsonNode action = rules.get("SecurityHubActionRule");
        assertThat(strings(action.at("/EventPattern/detail-type")))
                .containsExactly("Security Hub Findings - Custom Action");
        assertThat(action.at("/EventPattern/resources").toString()).contains("RemediateAction");
        for (JsonNode rule : rules.values()) {
            assertThat(rule.at("/Targets/0/Arn").toString()).contains("EventsStream");
        }
        assertThat(single(t, "AWS::SecurityHub::ActionTarget").at("/Properties/Id").asText())
                .matches("[A-Za-z0-9]{1,20}");

        // The organization trail's CloudWatch Logs: subscribed here, or through the destination
        // from its account.
        assertThat(
                        single(t, "AWS::Logs::SubscriptionFilter")
                                .at("/Properties/DestinationArn")
                                .toString())
                .contains("EventsStream");
        assertThat(single(t, "AWS::Logs::Destination").at("/Properties/TargetArn").toString())
                .contains("EventsStream");

        // Alerts (and operations), encrypted, with the email subscription from a parameter.
        for (Map.Entry<String, JsonNode> topic : resourcesOfType(t, "AWS::SNS::Topic")) {
            assertThat(topic.getValue().at("/Properties/KmsMasterKeyId").toString())
                    .as(topic.getKey())
                    .isEqualTo("{\"Ref\":\"Key\"}");
        }
        JsonNode email = resources(t).get("AlertEmailSubscription").get("Properties");
        assertThat(email.get("Protocol").asText()).isEqualTo("email");
        assertThat(email.get("Endpoint").toString()).isEqualTo("{\"Ref\":\"AlertEmail\"}");

        // Dead letters: a bucket or a queue, encrypted; buckets private.
        for (Map.Entry<String, JsonNode> queue : resourcesOfType(t, "AWS::SQS::Queue")) {
            assertThat(queue.getValue().at("/Properties/KmsMasterKeyId").toString())
                    .as(queue.getKey())
                    .isEqualTo("{\"Ref\":\"Key\"}");
        }
        for (Map.Entry<String, JsonNode> bucket : resourcesOfType(t, "AWS::S3::Bucket")) {
            JsonNode p = bucket.getValue().get("Properties");
            assertThat(
                            p.at(
                                            "/BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/SSEAlgorithm")
                                    .asText())
                    .as(bucket.getKey())
                    .isEqualTo("aws:kms");
            assertThat(p.get("PublicAccessBlockConfiguration").toString())
                    .as(bucket.getKey())
                    .doesNotContain("false");
        }
        assertThat(single(t, "AWS::KMS::Key").at("/Properties/EnableKeyRotation").asBoolean())
                .isTrue();
    }

    @Test
    void remediationPermissionsLiveOnlyInOptionalRemediationRoles() {
        for (Path template : List.of(CENTRAL, MEMBER)) {
            JsonNode t = read(template);
            for (Statement s : statements(t)) {
                boolean writesEcr =
                        s.actions().stream().anyMatch(a -> ECR_WRITE.matcher(a).matches());
                if (!writesEcr || !s.allows()) {
                    continue;
                }
                JsonNode resource = resources(t).get(s.resource());
                assertThat(resource.path("Type").asText())
                        .as(s.where())
                        .isEqualTo("AWS::IAM::Role");
                assertThat(s.resource()).as(s.where()).isEqualTo("RemediationRole");
                String condition = resource.path("Condition").asText();
                assertThat(condition)
                        .as(s.where() + " is created only with remediation enabled")
                        .isNotEmpty();
                assertThat(t.at("/Conditions/" + condition).toString())
                        .contains("EnableRemediation");
            }
            assertThat(t.at("/Parameters/EnableRemediation/Default").asText()).isEqualTo("false");
        }
        // The application role itself never may assume anything unless remediation is enabled.
        JsonNode t = read(CENTRAL);
        for (Statement s : statements(t)) {
            if (s.actions().contains("sts:AssumeRole") && !s.trust()) {
                String condition = resources(t).get(s.resource()).path("Condition").asText();
                assertThat(condition)
                        .as(s.where())
                        .isIn("RemediationEnabled", "RemediationInOrganization");
            }
        }
    }

    @Test
    void everyRemediationRoleMayDoWhatTheActionsCallButNeverTouchLayerWatchItself() {
        assertThat(REMEDIATION_PERMISSIONS.keySet())
                .containsAll(
                        RemediationConfig.responseActions().stream()
                                .filter(a -> !a.equals("register-registry"))
                                .toList());
        for (Path template : List.of(CENTRAL, MEMBER)) {
            JsonNode t = read(template);
            REMEDIATION_PERMISSIONS.forEach(
                    (action, needs) -> {
                        Set<String> allowed = new HashSet<>();
                        statements(t).stream()
                                .filter(
                                        s ->
                                                remediationRoleOf(action).equals(s.resource())
                                                        && !s.trust()
                                                        && s.allows())
                                .forEach(s -> allowed.addAll(s.actions()));
                        assertThat(allowed)
                                .as(template.getFileName() + " for " + action)
                                .containsAll(needs);
                    });
            // Both roles carry the guardrails policy, whose Deny keeps them off their own policies.
            for (String role : List.of("RemediationRole", "RevokeSessionsRole")) {
                assertThat(resources(t).get(role).at("/Properties/ManagedPolicyArns").toString())
                        .as(role)
                        .contains("RemediationGuardrailsPolicy");
            }
            assertThat(statements(t))
                    .as(template.getFileName() + ": a Deny keeps the roles off their own policies")
                    .anySatisfy(
                            s -> {
                                assertThat(s.resource()).isEqualTo("RemediationGuardrailsPolicy");
                                assertThat(s.allows()).isFalse();
                                assertThat(s.actions())
                                        .contains(
                                                "iam:PutRolePolicy",
                                                "iam:DeleteRolePolicy",
                                                "iam:AttachRolePolicy",
                                                "iam:DetachRolePolicy");
                                assertThat(s.node().path("Resource").toString())
                                        .contains("${RemediationRoleName}")
                                        .contains("${RevokeSessionsRoleName}");
                            });
        }
        // register-registry reads the assessment credentials with the application's own role, when
        // configured.
        JsonNode t = read(CENTRAL);
        assertThat(statements(t))
                .anySatisfy(
                        s -> {
                            assertThat(s.actions())
                                    .containsExactly("secretsmanager:GetSecretValue");
                            assertThat(s.node().path("Resource").toString())
                                    .contains("ImageAssessmentSecretArn");
                            assertThat(resources(t).get(s.resource()).path("Condition").asText())
                                    .isEqualTo("RemediationWithAssessment");
                        });
    }

    @Test
    void theMemberStackCreatesNamedRolesInOneRegionOnly() {
        JsonNode t = read(MEMBER);
        for (Map.Entry<String, JsonNode> role : resourcesOfType(t, "AWS::IAM::Role")) {
            if (!role.getValue().at("/Properties/RoleName").isMissingNode()) {
                String condition = role.getValue().path("Condition").asText();
                assertThat(t.at("/Conditions/" + condition).toString())
                        .as(role.getKey())
                        .contains("AWS::Region")
                        .contains("PrimaryRegion");
            }
        }
        JsonNode rule = single(t, "AWS::Events::Rule").get("Properties");
        assertThat(rule.get("State").asText())
                .isEqualTo("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
        assertThat(rule.at("/Targets/0/Arn").toString())
                .contains("CentralEventBusName")
                .contains("CentralAccountId");
    }

    @Test
    void theOrganizationRollOutIsAServiceManagedStackSetOfTheMemberStack() {
        JsonNode t = read(INFRA.resolve("layerwatch-org-rollout.yaml"));
        JsonNode set = single(t, "AWS::CloudFormation::StackSet").get("Properties");
        assertThat(set.get("PermissionModel").asText()).isEqualTo("SERVICE_MANAGED");
        assertThat(set.at("/AutoDeployment/Enabled").asBoolean()).isTrue();
        Set<String> passed = new LinkedHashSet<>();
        set.get("Parameters").forEach(p -> passed.add(p.get("ParameterKey").asText()));
        JsonNode member = read(MEMBER).get("Parameters");
        assertThat(passed).isEqualTo(names(member));
    }

    @Test
    void theImageAssessmentEnrollmentHoldsNoSecretValue() {
        JsonNode t = read(INFRA.resolve("layerwatch-image-assessment.yaml"));
        JsonNode secret = single(t, "AWS::SecretsManager::Secret").get("Properties");
        assertThat(secret.has("SecretString")).isFalse();
        assertThat(secret.has("GenerateSecretString")).isFalse();
        assertThat(t.at("/Parameters/ExternalId/NoEcho").asBoolean()).isTrue();
        JsonNode role = single(t, "AWS::IAM::Role").get("Properties");
        for (Statement s : statements(t)) {
            if (s.resource().equals("RegistryConnectionRole") && !s.trust()) {
                assertThat(s.actions())
                        .allMatch(
                                a ->
                                        a.startsWith("ecr:Get")
                                                || a.startsWith("ecr:Batch")
                                                || a.startsWith("ecr:Describe")
                                                || a.startsWith("ecr:List"));
            }
        }
        assertThat(role.at("/AssumeRolePolicyDocument/Statement/0/Condition").toString())
                .contains("sts:ExternalId");
    }

    @Test
    void theLintScriptOnlyNamesExistingTemplates() throws IOException {
        String script = Files.readString(Paths.get("scripts", "cfn-lint.sh"));
        Matcher m =
                Pattern.compile("(?m)^(layerwatch-[a-z-]+\\.yaml)\\t(base|set)\\t(.+)$")
                        .matcher(script);
        int lines = 0;
        while (m.find()) {
            Path template = INFRA.resolve(m.group(1));
            assertThat(template).exists();
            JsonNode parameters = read(template).get("Parameters");
            Set<String> keys = new LinkedHashSet<>();
            for (String pair : m.group(3).split(",")) {
                keys.add(pair.substring(0, pair.indexOf('=')));
            }
            assertThat(names(parameters)).as(m.group(0)).containsAll(keys);
            if (m.group(2).equals("base")) {
                // Given any values, cfn-lint wants one for each parameter without a Default.
                Set<String> required = new LinkedHashSet<>();
                parameters
                        .fields()
                        .forEachRemaining(
                                p -> {
                                    if (!p.getValue().has("Default")) {
                                        required.add(p.getKey());
                                    }
                                });
                assertThat(keys).as("base values of " + m.group(1)).containsAll(required);
            }
            lines++;
        }
        assertThat(lines).isPositive();
        // AWS's cfn-lint, pinned, informational checks failing the run, and the registry schemas it
        // lacks.
        assertThat(script)
                .contains(
                        "lint_version=\"1.51.0\"",
                        "-c I --non-zero-exit-code informational",
                        "--registry-schemas \"$schemas\"",
                        "--append-rules \"$rules\"")
                .doesNotContain("npm");
        JsonNode schema =
                new ObjectMapper()
                        .readTree(
                                INFRA.resolve("schemas/aws-securityhub-actiontarget.json")
                                        .toFile());
        assertThat(schema.path("typeName").asText()).isEqualTo("AWS::SecurityHub::ActionTarget");
        assertThat(schema.at("/properties/Name/maxLength").asInt()).isEqualTo(20);
    }

    // ---- IAM statements
    // ----------------------------------------------------------------------------------------

    /**
     * One IAM policy statement of a template.
     *
     * @param resource the logical id of the resource holding it
     * @param trust whether it is in a role's trust policy
     * @param resourcePolicy whether it is in a KMS key or Secrets Manager resource policy
     */
    record Statement(
            String resource, String path, JsonNode node, boolean trust, boolean resourcePolicy) {

        String where() {
            return resource + path;
        }

        boolean allows() {
            return "Allow".equals(node.path("Effect").asText());
        }

        List<String> actions() {
            return strings(node.get("Action"));
        }
    }

    /**
     * Every statement: anything with an Effect and an Action, plus the JSON-string policies of log
     * destinations.
     */
    static List<Statement> statements(JsonNode template) {
        List<Statement> out = new ArrayList<>();
        resources(template)
                .fields()
                .forEachRemaining(
                        r -> {
                            String type = r.getValue().path("Type").asText();
                            boolean resourcePolicy =
                                    type.equals("AWS::KMS::Key")
                                            || type.equals("AWS::SecretsManager::ResourcePolicy");
                            CfnYaml.walk(
                                    r.getValue(),
                                    "",
                                    (path, n) -> {
                                        if (n.isObject()
                                                && n.has("Effect")
                                                && (n.has("Action") || n.has("NotAction"))) {
                                            out.add(
                                                    new Statement(
                                                            r.getKey(),
                                                            path,
                                                            n,
                                                            path.contains(
                                                                    "/AssumeRolePolicyDocument/"),
                                                            resourcePolicy));
                                        }
                                    });
                            JsonNode destinationPolicy =
                                    r.getValue().at("/Properties/DestinationPolicy");
                            if (!destinationPolicy.isMissingNode()) {
                                JsonNode sub = destinationPolicy.path("Fn::Sub");
                                String text =
                                        sub.isArray()
                                                ? sub.get(0).asText()
                                                : sub.isTextual()
                                                        ? sub.asText()
                                                        : destinationPolicy.asText();
                                try {
                                    JsonNode doc =
                                            new ObjectMapper()
                                                    .readTree(text.replaceAll("\\$\\{[^}]+}", "X"));
                                    doc.get("Statement")
                                            .forEach(
                                                    s ->
                                                            out.add(
                                                                    new Statement(
                                                                            r.getKey(),
                                                                            "/DestinationPolicy",
                                                                            s,
                                                                            false,
                                                                            true)));
                                } catch (IOException e) {
                                    throw new AssertionError(
                                            r.getKey()
                                                    + ": DestinationPolicy is not JSON: "
                                                    + e.getMessage());
                                }
                            }
                        });
        return out;
    }

    // ---- helpers
    // -----------------------------------------------------------------------------------------------

    static JsonNode single(JsonNode t, String type) {
        List<Map.Entry<String, JsonNode>> found = resourcesOfType(t, type);
        assertThat(found).as(type).hasSize(1);
        return found.get(0).getValue();
    }

    static Set<String> names(JsonNode mapping) {
        Set<String> out = new LinkedHashSet<>();
        if (mapping != null) {
            mapping.fieldNames().forEachRemaining(out::add);
        }
        return out;
    }

    static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node == null || node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (node.isArray()) {
            node.forEach(n -> out.add(n.isTextual() ? n.asText() : n.toString()));
        } else {
            out.add(node.isTextual() ? node.asText() : node.toString());
        }
        return out;
    }

    private static JsonNode bodyWithoutParameters(JsonNode t) {
        ObjectNode copy = ((ObjectNode) t).deepCopy();
        copy.remove("Parameters");
        copy.remove("Metadata");
        return copy;
    }
}
