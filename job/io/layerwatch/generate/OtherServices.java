package io.layerwatch.generate;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The bulk of a trail: calls to services other than ECR (STS, KMS, S3 data events, EC2, CloudWatch,
 * Lambda, SSM, Secrets Manager, ...) by the organization's workloads, people and AWS services, in
 * roughly the proportions a container platform's trail shows. LayerWatch reads and drops them; they
 * are here so that replay and benchmarks see realistic volume, shapes and sizes.
 */
final class OtherServices {

    /**
     * One kind of call: weight, service host, API name, whether it is a data event, and its
     * parameters.
     */
    private record Template(
            int weight, String source, String name, boolean data, Caller caller, Params params) {}

    private enum Caller {
        WORKLOAD,
        PERSON,
        SERVICE,
        AUTOMATION
    }

    @FunctionalInterface
    private interface Params {
        void write(JsonGenerator g, Context c) throws IOException;
    }

    /** What a template's parameters may name. */
    private record Context(String account, String region, String team, SplittableRandom rng) {}

    private static final String[] SERVICE_HOSTS = {
        "ec2.amazonaws.com",
        "lambda.amazonaws.com",
        "ecs-tasks.amazonaws.com",
        "autoscaling.amazonaws.com",
        "elasticloadbalancing.amazonaws.com",
        "cloudformation.amazonaws.com",
        "config.amazonaws.com"
    };
    private static final String[] LAMBDAS = {
        "thumbnailer",
        "audit-forwarder",
        "invoice-mailer",
        "slack-notifier",
        "cost-report",
        "log-shipper"
    };

    private static final List<Template> TEMPLATES =
            List.of(
                    new Template(
                            14,
                            "sts.amazonaws.com",
                            "AssumeRole",
                            false,
                            Caller.SERVICE,
                            (g, c) -> {
                                g.writeStringField(
                                        "roleArn",
                                        "arn:aws:iam::"
                                                + c.account()
                                                + ":role/"
                                                + c.team()
                                                + "-service");
                                g.writeStringField(
                                        "roleSessionName", Ids.hex(c.rng().nextLong(), 16));
                                g.writeNumberField("durationSeconds", 3600);
                            }),
                    new Template(
                            10,
                            "kms.amazonaws.com",
                            "Decrypt",
                            false,
                            Caller.WORKLOAD,
                            (g, c) -> {
                                g.writeStringField("encryptionAlgorithm", "SYMMETRIC_DEFAULT");
                                g.writeObjectFieldStart("encryptionContext");
                                g.writeStringField(
                                        "aws:s3:arn",
                                        "arn:aws:s3:::" + bucket(c) + "/" + objectKey(c));
                                g.writeEndObject();
                            }),
                    new Template(
                            7,
                            "kms.amazonaws.com",
                            "GenerateDataKey",
                            false,
                            Caller.WORKLOAD,
                            (g, c) -> {
                                g.writeStringField(
                                        "keyId",
                                        "arn:aws:kms:"
                                                + c.region()
                                                + ":"
                                                + c.account()
                                                + ":key/"
                                                + Ids.uuid(
                                                        new SplittableRandom(
                                                                Ids.hash(c.account() + c.team()))));
                                g.writeStringField("keySpec", "AES_256");
                            }),
                    new Template(
                            16,
                            "s3.amazonaws.com",
                            "GetObject",
                            true,
                            Caller.WORKLOAD,
                            (g, c) -> {
                                bucketParams(g, c);
                                g.writeStringField("key", objectKey(c));
                            }),
                    new Template(
                            8,
                            "s3.amazonaws.com",
                            "PutObject",
                            true,
                            Caller.WORKLOAD,
                            (g, c) -> {
                                bucketParams(g, c);
                                g.writeStringField("key", objectKey(c));
                                g.writeStringField("x-amz-server-side-encryption", "aws:kms");
                            }),
                    new Template(
                            4,
                            "s3.amazonaws.com",
                            "ListObjects",
                            true,
                            Caller.AUTOMATION,
                            (g, c) -> {
                                bucketParams(g, c);
                                g.writeStringField("list-type", "2");
                                g.writeStringField("prefix", "events/");
                            }),
                    new Template(
                            6,
                            "ec2.amazonaws.com",
                            "DescribeInstances",
                            false,
                            Caller.AUTOMATION,
                            (g, c) -> {
                                g.writeObjectFieldStart("instancesSet");
                                g.writeEndObject();
                                g.writeObjectFieldStart("filterSet");
                                g.writeEndObject();
                            }),
                    new Template(
                            3,
                            "ec2.amazonaws.com",
                            "DescribeNetworkInterfaces",
                            false,
                            Caller.SERVICE,
                            (g, c) -> {
                                g.writeObjectFieldStart("networkInterfaceIdSet");
                                g.writeEndObject();
                            }),
                    new Template(
                            2,
                            "ec2.amazonaws.com",
                            "CreateTags",
                            false,
                            Caller.SERVICE,
                            (g, c) -> {
                                g.writeObjectFieldStart("resourcesSet");
                                g.writeArrayFieldStart("items");
                                g.writeStartObject();
                                g.writeStringField(
                                        "resourceId", "i-0" + Ids.hex(c.rng().nextLong(), 16));
                                g.writeEndObject();
                                g.writeEndArray();
                                g.writeEndObject();
                            }),
                    new Template(
                            6,
                            "logs.amazonaws.com",
                            "CreateLogStream",
                            false,
                            Caller.WORKLOAD,
                            (g, c) -> {
                                g.writeStringField(
                                        "logGroupName",
                                        "/aws/containerinsights/" + c.team() + "/application");
                                g.writeStringField(
                                        "logStreamName", Ids.hex(c.rng().nextLong(), 32));
                            }),
                    new Template(
                            5,
                            "monitoring.amazonaws.com",
                            "GetMetricData",
                            false,
                            Caller.AUTOMATION,
                            (g, c) -> {
                                g.writeStringField("startTime", "PT-15M");
                                g.writeStringField("endTime", "PT0M");
                            }),
                    new Template(
                            2,
                            "monitoring.amazonaws.com",
                            "DescribeAlarms",
                            false,
                            Caller.PERSON,
                            (g, c) -> g.writeNumberField("maxRecords", 100)),
                    new Template(
                            5,
                            "lambda.amazonaws.com",
                            "Invoke",
                            true,
                            Caller.WORKLOAD,
                            (g, c) ->
                                    g.writeStringField(
                                            "functionName",
                                            "arn:aws:lambda:"
                                                    + c.region()
                                                    + ":"
                                                    + c.account()
                                                    + ":function:"
                                                    + LAMBDAS[c.rng().nextInt(LAMBDAS.length)])),
                    new Template(
                            5,
                            "ssm.amazonaws.com",
                            "GetParameter",
                            false,
                            Caller.WORKLOAD,
                            (g, c) -> {
                                g.writeStringField(
                                        "name",
                                        "/"
                                                + c.team()
                                                + "/config/"
                                                + Ids.hex(c.rng().nextInt(40), 6));
                                g.writeBooleanField("withDecryption", true);
                            }),
                    new Template(
                            4,
                            "secretsmanager.amazonaws.com",
                            "GetSecretValue",
                            false,
                            Caller.WORKLOAD,
                            (g, c) ->
                                    g.writeStringField(
                                            "secretId",
                                            "arn:aws:secretsmanager:"
                                                    + c.region()
                                                    + ":"
                                                    + c.account()
                                                    + ":secret:"
                                                    + c.team()
                                                    + "/db-"
                                                    + Ids.hex(Ids.hash(c.team()), 6))),
                    new Template(
                            3,
                            "elasticloadbalancing.amazonaws.com",
                            "DescribeTargetHealth",
                            false,
                            Caller.AUTOMATION,
                            (g, c) ->
                                    g.writeStringField(
                                            "targetGroupArn",
                                            "arn:aws:elasticloadbalancing:"
                                                    + c.region()
                                                    + ":"
                                                    + c.account()
                                                    + ":targetgroup/"
                                                    + c.team()
                                                    + "-tg/"
                                                    + Ids.hex(Ids.hash(c.team()), 16))),
                    new Template(
                            2,
                            "autoscaling.amazonaws.com",
                            "DescribeAutoScalingGroups",
                            false,
                            Caller.SERVICE,
                            (g, c) -> g.writeNumberField("maxRecords", 50)),
                    new Template(
                            3,
                            "eks.amazonaws.com",
                            "DescribeCluster",
                            false,
                            Caller.AUTOMATION,
                            (g, c) ->
                                    g.writeStringField(
                                            "name",
                                            (c.account().equals(Organization.DEV) ? "dev" : "prod")
                                                    + "-"
                                                    + (c.region().equals(Organization.HOME)
                                                            ? "use1"
                                                            : "euw1"))),
                    new Template(
                            2,
                            "iam.amazonaws.com",
                            "GetRole",
                            false,
                            Caller.AUTOMATION,
                            (g, c) -> g.writeStringField("roleName", c.team() + "-service")),
                    new Template(
                            2,
                            "cloudformation.amazonaws.com",
                            "DescribeStacks",
                            false,
                            Caller.PERSON,
                            (g, c) -> g.writeStringField("stackName", c.team() + "-stack")),
                    new Template(
                            2,
                            "dynamodb.amazonaws.com",
                            "DescribeTable",
                            false,
                            Caller.WORKLOAD,
                            (g, c) -> g.writeStringField("tableName", c.team() + "-state")),
                    new Template(
                            3,
                            "sts.amazonaws.com",
                            "GetCallerIdentity",
                            false,
                            Caller.PERSON,
                            null),
                    new Template(
                            3,
                            "ecs.amazonaws.com",
                            "DescribeServices",
                            false,
                            Caller.AUTOMATION,
                            (g, c) -> {
                                g.writeStringField("cluster", "prod-ecs");
                                g.writeArrayFieldStart("services");
                                g.writeString(c.team() + "-api");
                                g.writeEndArray();
                            }),
                    new Template(
                            1,
                            "config.amazonaws.com",
                            "PutEvaluations",
                            false,
                            Caller.SERVICE,
                            (g, c) ->
                                    g.writeStringField(
                                            "resultToken", Ids.hex(c.rng().nextLong(), 32))));

    private static final int TOTAL_WEIGHT = TEMPLATES.stream().mapToInt(Template::weight).sum();

    private final RecordWriter w;
    private final Organization org;
    private final List<Actor> workloads = new ArrayList<>();
    private final List<Actor> automation = new ArrayList<>();

    OtherServices(RecordWriter writer, Organization org) {
        this.w = writer;
        this.org = org;
        org.clusters.forEach(c -> workloads.add(c.nodeRole()));
        org.taskPulls.forEach(p -> workloads.add(p.actor()));
        for (String account : Organization.ACCOUNTS) {
            for (String fn : LAMBDAS) {
                workloads.add(Actor.role(account, "lambda-" + fn));
            }
        }
        automation.addAll(org.ci.values());
        automation.add(org.deployProd);
        automation.add(org.deployDev);
        automation.add(Actor.user(Organization.SHARED, "terraform"));
        for (String account : Organization.ACCOUNTS) {
            automation.add(Actor.role(account, "datadog-integration"));
        }
    }

    /**
     * Renders one random call at {@code t}; returns the record and its account and region through
     * {@code out}.
     */
    void one(long t, Ecr.Emitter out) {
        SplittableRandom rng = w.rng();
        Template tpl = pick(rng);
        String region =
                tpl.source().equals("iam.amazonaws.com") || rng.nextInt(10) < 7
                        ? Organization.HOME
                        : Organization.SECOND;
        String team = org.repos.get(rng.nextInt(org.repos.size())).team;
        Actor.Session session;
        String ip;
        String agent;
        String account;
        switch (tpl.caller()) {
            case SERVICE -> {
                account = Organization.ACCOUNTS.get(rng.nextInt(3));
                String host = SERVICE_HOSTS[rng.nextInt(SERVICE_HOSTS.length)];
                session = Actor.service(host).session(null, t);
                ip = host;
                agent = host;
            }
            case PERSON -> {
                boolean admin = rng.nextInt(4) == 0;
                Actor a = admin ? org.platformAdmin : org.developer;
                account = a.account();
                session =
                        a.session(
                                org.developers.get(rng.nextInt(org.developers.size())),
                                t - t % 28_800_000L);
                ip = Organization.corporateIp(rng);
                agent = rng.nextBoolean() ? Attacks.CLI : "AWS Internal";
            }
            case AUTOMATION -> {
                Actor a = automation.get(rng.nextInt(automation.size()));
                account = a.account();
                session = a.session("automation-" + (t / 3_600_000L % 24), t - t % 3_600_000L);
                ip = Organization.vpcIp(rng, account, region);
                agent = a.kind() == Actor.Kind.USER ? Attacks.TERRAFORM : Attacks.BOTO;
            }
            default -> {
                Actor a = workloads.get(rng.nextInt(workloads.size()));
                account = a.account();
                String name =
                        a.name().startsWith("lambda-")
                                ? a.name().substring(7)
                                : "i-0" + Ids.hex(Ids.hash(a.name(), rng.nextInt(8), 0), 16);
                session = a.session(name, t - t % 3_600_000L);
                ip = Organization.vpcIp(rng, account, region);
                agent =
                        "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64";
            }
        }
        Context ctx = new Context(account, region, team, rng);
        RecordWriter.Call c =
                w.call(t, tpl.source(), tpl.name(), region, account).from(session, ip, null, agent);
        c.data = tpl.data();
        if (tpl.params() != null) {
            c.params(g -> tpl.params().write(g, ctx));
        }
        out.cloudTrail(t, account, region, w.render(c));
    }

    private static Template pick(SplittableRandom rng) {
        int x = rng.nextInt(TOTAL_WEIGHT);
        for (Template t : TEMPLATES) {
            x -= t.weight();
            if (x < 0) {
                return t;
            }
        }
        return TEMPLATES.get(0);
    }

    /** An S3 data event's bucket and its virtual-hosted endpoint. */
    private static void bucketParams(JsonGenerator g, Context c) throws IOException {
        g.writeStringField("bucketName", bucket(c));
        g.writeStringField("Host", bucket(c) + ".s3." + c.region() + ".amazonaws.com");
    }

    private static String bucket(Context c) {
        return c.team() + "-data-" + c.account() + "-" + c.region();
    }

    private static String objectKey(Context c) {
        return "events/shard="
                + Ids.hex(c.rng().nextInt(4096), 3)
                + "/part-"
                + Ids.hex(c.rng().nextLong(), 12)
                + ".parquet";
    }
}
