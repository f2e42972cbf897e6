package io.layerwatch.generate;

import com.fasterxml.jackson.core.JsonGenerator;
import io.layerwatch.generate.Ecr.Origin;
import io.layerwatch.generate.Organization.Pull;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Benign ECR traffic, one activity at a time: EKS nodes pulling what was rolled out (only the
 * layers they do not have), Fargate tasks pulling whole images, CI builds pushing new versions
 * (with their scan-on-push results), deployments checking images, developers browsing and pulling,
 * the platform team's housekeeping (pull through cache rules of trusted upstreams among it), the
 * container scanner's sweeps (allowlisted), token refreshes, and a few harmless errors. Only CI
 * roles push (pushers of unexpected-image-push in {@link Organization#rulesYaml}); half of the
 * builds also move {@code latest}. Workloads' sessions also call other services: a Lambda
 * function's session is first seen writing its logs (the Lambda worker, from an AWS address), then
 * its code reads ECR from another AWS address; a task's app reads S3 before its pull.
 *
 * <p>It stays clear of every rule under the generated organization's rules file (see {@link
 * Organization#rulesYaml}): calls come from trusted networks, within each account; pulls are {@link
 * Organization#pulls} habits learned in the learning phase; scans are clean; no policy is deleted,
 * exposed or replicated outside. The burst rules are kept clear by budgets per principal and
 * 5-minute interval: at most {@link #MAX_LAYERS_PER_INTERVAL} distinct layers (any 10-minute window
 * touches at most four intervals, so at most 48 &lt; 50 layers) and one AccessDenied.
 */
final class Benign {
    /**
     * Distinct layers one principal may download per interval: 4 x 12 stays below minDistinctLayers
     * (50).
     */
    static final int MAX_LAYERS_PER_INTERVAL = 12;

    static final String CONTAINERD = "containerd/v1.7.11";
    static final String FARGATE = "AmazonECS/FargatePlatform/1.4.0 (linux; amd64)";

    /**
     * The platform team's pull through cache upstreams (URL, kind): public registries and its own
     * ECR registry.
     */
    private static final String[][] UPSTREAMS = {
        {"public.ecr.aws", "ecr-public"},
        {"registry-1.docker.io", "docker-hub"},
        {"quay.io", "quay"},
        {"registry.k8s.io", "k8s"},
        {Organization.SHARED + ".dkr.ecr." + Organization.SECOND + ".amazonaws.com", "ecr"}
    };

    /** The user agent of the Lambda service's own calls with a function's role session. */
    static final String LAMBDA_WORKER = "awslambda-worker";

    static final String LAMBDA_SDK = Attacks.BOTO + " exec-env/AWS_Lambda_python3.12";
    static final String ECS_SDK = Attacks.BOTO + " exec-env/AWS_ECS_FARGATE";

    private final Organization org;
    private final Ecr ecr;
    private final SplittableRandom rng;
    private final List<Pull> nodePulls = new ArrayList<>();
    private final List<Pull> deployPulls = new ArrayList<>();
    private final List<Pull> developerPulls = new ArrayList<>();

    /**
     * Version each cluster's nodes have of a repository; a newer one is downloaded layer by layer.
     */
    private final Map<String, Integer> onNodes = new HashMap<>();

    private final Map<String, Set<String>> downloaded = new HashMap<>();
    private final Set<String> denied = new HashSet<>();

    /**
     * When the platform team last deleted old images (at most hourly, four at a time: any hour
     * stays below mass-deletion's 20 images).
     */
    private long lastCleanup = Long.MIN_VALUE / 2;

    Benign(Organization org, Ecr ecr, SplittableRandom rng) {
        this.org = org;
        this.ecr = ecr;
        this.rng = rng;
        for (Pull p : org.pulls) {
            switch (p.kind()) {
                case NODE -> nodePulls.add(p);
                case DEPLOY -> deployPulls.add(p);
                case DEVELOPER -> developerPulls.add(p);
                default -> {}
            }
        }
    }

    /** Budgets are per interval. */
    void newInterval() {
        downloaded.clear();
        denied.clear();
    }

    /** The learning phase: a habit's first pull (manifest only, layers cached). */
    void firstPull(Pull p, long t) {
        Origin o = origin(p, t);
        ecr.pull(t, o, p.account(), p.region(), p.repo(), p.repo().version, List.of());
    }

    /** One random activity starting at {@code t}. */
    void activity(long t) {
        int x = rng.nextInt(100);
        if (x < 45) {
            nodePull(t);
        } else if (x < 57) {
            tokenRefresh(t);
        } else if (x < 67) {
            deployCheck(t);
        } else if (x < 81) {
            developer(t);
        } else if (x < 87) {
            taskPull(t);
        } else if (x < 93) {
            ciBuild(t);
        } else if (x < 95) {
            admin(t);
        } else {
            mistake(t);
        }
    }

    private void nodePull(long t) {
        Pull p = nodePulls.get(rng.nextInt(nodePulls.size()));
        Repo r = p.repo();
        String key = p.cluster().name() + "|" + r.name;
        int have = onNodes.computeIfAbsent(key, k -> r.version);
        List<String> layers;
        if (have != r.version) {
            layers = new ArrayList<>(r.layers(r.version));
            layers.removeAll(r.layers(have));
            if (rng.nextInt(3) == 0) {
                onNodes.put(key, r.version); // the rollout has reached most nodes
            }
        } else {
            layers =
                    rng.nextInt(15) == 0
                            ? r.layers(r.version)
                            : List.of(); // a new node, or all cached
        }
        Origin o = origin(p, t);
        if (rng.nextInt(4) == 0) {
            t = ecr.token(t, o, p.region());
        }
        ecr.pull(t, o, p.account(), p.region(), r, r.version, budget(p.actor(), layers));
    }

    private void taskPull(long t) {
        if (org.taskPulls.isEmpty()) {
            nodePull(t);
            return;
        }
        Pull p = org.taskPulls.get(rng.nextInt(org.taskPulls.size()));
        if (rng.nextInt(3) == 0) {
            lambdaReads(p, t);
            return;
        }
        Origin o = origin(p, t);
        t =
                ecr.otherService(
                        t - 2_000,
                        "s3.amazonaws.com",
                        "GetObject",
                        p.account(),
                        p.region(),
                        new Origin(o.session(), o.ip(), null, ECS_SDK));
        t = ecr.token(t, o, p.region());
        ecr.pull(
                t,
                o,
                p.account(),
                p.region(),
                p.repo(),
                p.repo().version,
                budget(p.actor(), p.repo().layers(p.repo().version)));
    }

    /**
     * A function's session: the Lambda worker's log call, then the code's ECR read from another AWS
     * address.
     */
    private void lambdaReads(Pull p, long t) {
        Actor fn = Actor.role(p.account(), "fn-image-report");
        Actor.Session session = fn.session("fn-image-report", t - t % 3_600_000L);
        t =
                ecr.otherService(
                        t,
                        "logs.amazonaws.com",
                        "CreateLogStream",
                        p.account(),
                        p.region(),
                        new Origin(session, Organization.awsIp(rng, true), null, LAMBDA_WORKER));
        ecr.read(
                t + 1_000,
                new Origin(session, Organization.awsIp(rng, false), null, LAMBDA_SDK),
                "DescribeImages",
                p.account(),
                p.region(),
                p.repo().name);
    }

    private void tokenRefresh(long t) {
        Pull p =
                rng.nextBoolean()
                        ? nodePulls.get(rng.nextInt(nodePulls.size()))
                        : deployPulls.get(rng.nextInt(deployPulls.size()));
        ecr.token(t, origin(p, t), p.region());
    }

    /**
     * A CI build: base image layers, cache from the last version, push of the next one, scan on
     * push.
     */
    private void ciBuild(long t) {
        Repo r = org.repos.get(rng.nextInt(org.repos.size()));
        Actor a = org.ci.get(r.team);
        Origin o =
                new Origin(
                        a.session("gha-" + (100000 + rng.nextInt(900000)), t - 15_000),
                        Organization.vpcIp(rng, Organization.SHARED, r.home),
                        Organization.vpce(Organization.SHARED, r.home),
                        Attacks.DOCKER);
        t = ecr.token(t, o, r.home);
        t =
                ecr.pull(
                        t,
                        o,
                        Organization.SHARED,
                        r.home,
                        r.base,
                        r.base.version,
                        budget(a, r.base.layers(r.base.version)));
        t = ecr.pull(t, o, Organization.SHARED, r.home, r, r.version, List.of());
        int next = r.version + 1;
        long pushed = ecr.push(t, o, Organization.SHARED, r.home, r, next);
        if (rng.nextBoolean()) { // latest moves to each new build (not a release tag: no overwrite
            // to report)
            ecr.putImage(
                    pushed + 2_000,
                    o,
                    Organization.SHARED,
                    r.home,
                    r.name,
                    "latest",
                    r.digest(next));
        }
        r.version = next;
        int[] clean = {
            0, rng.nextInt(10) < 7 ? 0 : 1 + rng.nextInt(4), rng.nextInt(12), rng.nextInt(30)
        };
        ecr.scan(pushed, 15_000 + rng.nextInt(60_000), Organization.SHARED, r.home, r, next, clean);
    }

    private void deployCheck(long t) {
        Pull p = deployPulls.get(rng.nextInt(deployPulls.size()));
        Origin o = origin(p, t);
        t = ecr.read(t, o, "DescribeImages", p.account(), p.region(), p.repo().name);
        ecr.pull(t, o, p.account(), p.region(), p.repo(), p.repo().version, List.of());
    }

    private void developer(long t) {
        Pull p = developerPulls.get(rng.nextInt(developerPulls.size()));
        Origin o = origin(p, t);
        int x = rng.nextInt(10);
        if (x < 3) {
            t = ecr.describeRepositories(t, o, p.account(), p.region());
            ecr.read(t, o, "DescribeImages", p.account(), p.region(), p.repo().name);
        } else if (x < 5) {
            t = ecr.read(t, o, "ListImages", p.account(), p.region(), p.repo().name);
            ecr.read(t, o, "DescribeImageScanFindings", p.account(), p.region(), p.repo().name);
        } else {
            t =
                    ecr.token(
                            t,
                            new Origin(
                                    o.session(),
                                    o.ip(),
                                    null,
                                    Attacks.CLI + " command/ecr.get-login-password"),
                            p.region());
            List<String> layers = p.repo().layers(p.repo().version);
            int cached = rng.nextInt(layers.size() + 1);
            ecr.pull(
                    t,
                    o,
                    p.account(),
                    p.region(),
                    p.repo(),
                    p.repo().version,
                    budget(p.actor(), layers.subList(cached, layers.size())));
        }
    }

    /**
     * The platform team: policies granting its own account, lifecycle rules, tags, sandbox
     * repositories.
     */
    private void admin(long t) {
        Repo r = org.repos.get(rng.nextInt(org.repos.size()));
        Actor a = org.platformAdmin;
        Origin o =
                new Origin(
                        a.session(org.developers.get(0), t - t % 28_800_000L),
                        Organization.corporateIp(rng),
                        null,
                        Attacks.CLI);
        String account = Organization.SHARED;
        switch (rng.nextInt(9)) {
            case 0 -> {
                t = ecr.read(t, o, "GetRepositoryPolicy", account, r.home, r.name);
                ecr.setPolicy(
                        t + 30_000,
                        o,
                        account,
                        r.home,
                        r.name,
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{"
                                + "\"Sid\":\"AllowCiPush\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
                                + account
                                + ":role/ci-build-"
                                + r.team
                                + "\"},\"Action\":[\"ecr:PutImage\",\"ecr:InitiateLayerUpload\","
                                + "\"ecr:UploadLayerPart\",\"ecr:CompleteLayerUpload\",\"ecr:BatchCheckLayerAvailability\"]}]}");
            }
            case 1 -> {
                t = ecr.read(t, o, "GetLifecyclePolicy", account, r.home, r.name);
                ecr.write(
                        t + 20_000,
                        o,
                        "PutLifecyclePolicy",
                        account,
                        r.home,
                        r.name,
                        g ->
                                g.writeStringField(
                                        "lifecyclePolicyText",
                                        "{\"rules\":[{\"rulePriority\":1,\"description\":\"keep last 50\","
                                                + "\"selection\":{\"tagStatus\":\"any\",\"countType\":\"imageCountMoreThan\","
                                                + "\"countNumber\":50},\"action\":{\"type\":\"expire\"}}]}"));
            }
            case 2 ->
                    ecr.write(
                            t,
                            o,
                            "TagResource",
                            account,
                            r.home,
                            r.name,
                            g -> {
                                g.writeArrayFieldStart("tags");
                                g.writeStartObject();
                                g.writeStringField("Key", "team");
                                g.writeStringField("Value", r.team);
                                g.writeEndObject();
                                g.writeEndArray();
                            });
            case 3 ->
                    ecr.createRepository(
                            t,
                            o,
                            account,
                            Organization.HOME,
                            "sandbox/"
                                    + org.developers.get(rng.nextInt(org.developers.size()))
                                            .split("@", -1)[0]
                                    + "-"
                                    + Ids.hex(rng.nextLong(), 4));
            case 4 -> ecr.emit(ecr.call(t, "GetRegistryScanningConfiguration", account, r.home, o));
            case 5 -> {
                int u = rng.nextInt(UPSTREAMS.length);
                ecr.pullThroughCache(
                        t,
                        o,
                        account,
                        Organization.HOME,
                        "mirror-" + Ids.hex(rng.nextLong(), 4),
                        UPSTREAMS[u][0],
                        UPSTREAMS[u][1]);
            }
            case 6 ->
                    ecr.write(
                            t,
                            o,
                            "PutImageScanningConfiguration",
                            account,
                            r.home,
                            r.name,
                            g -> {
                                g.writeObjectFieldStart("imageScanningConfiguration");
                                g.writeBooleanField(
                                        "scanOnPush",
                                        true); // turned on: CI pushes after it are no finding
                                g.writeEndObject();
                            });
            case 7 -> {
                if (t - lastCleanup < 3_600_000L) { // at most hourly, whatever the trail's density
                    ecr.read(t, o, "ListTagsForResource", account, r.home, r.name);
                } else {
                    lastCleanup = t;
                    ecr.write(
                            t,
                            o,
                            "BatchDeleteImage",
                            account,
                            r.home,
                            r.name, // a few old images
                            g -> imageIds(g, r, r.version - 30, 1 + rng.nextInt(4)));
                }
            }
            default -> ecr.read(t, o, "ListTagsForResource", account, r.home, r.name);
        }
    }

    /**
     * BatchDeleteImage's imageIds: {@code n} versions of {@code r} from {@code from} on, by digest.
     */
    static void imageIds(JsonGenerator g, Repo r, int from, int n) throws IOException {
        g.writeArrayFieldStart("imageIds");
        for (int v = from; v < from + n; v++) {
            g.writeStartObject();
            g.writeStringField("imageDigest", r.digest(v));
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * The container scanner's sweep: the images and scan findings of every repository of the shared
     * registry (allowlisted for repository-enumeration in the rules file).
     */
    void scannerSweep(long t) {
        Origin o =
                new Origin(
                        org.scanner.session("scan-" + Ids.hex(rng.nextLong(), 8), t - 5_000),
                        Organization.vpcIp(rng, Organization.SHARED, Organization.HOME),
                        Organization.vpce(Organization.SHARED, Organization.HOME),
                        Attacks.BOTO);
        List<Repo> all = new ArrayList<>(org.bases);
        all.addAll(org.repos);
        for (int i = 0;
                i < all.size();
                i++) { // in parallel: the sweep takes half a minute whatever the registry's size
            Repo r = all.get(i);
            long at =
                    ecr.read(
                            t + i * 30_000L / all.size(),
                            o,
                            "DescribeImages",
                            Organization.SHARED,
                            r.home,
                            r.name);
            ecr.read(at, o, "DescribeImageScanFindings", Organization.SHARED, r.home, r.name);
        }
    }

    /**
     * A tag that does not exist, or (at most once per principal and interval) a pull without
     * permission.
     */
    private void mistake(long t) {
        Pull p = developerPulls.get(rng.nextInt(developerPulls.size()));
        Origin o = origin(p, t);
        if (rng.nextInt(3) == 0 && denied.add(p.actor().arn())) {
            ecr.denied(
                    t,
                    o,
                    "BatchGetImage",
                    Organization.PROD,
                    p.region(),
                    p.repo().name,
                    "AccessDenied");
        } else {
            ecr.denied(
                    t,
                    o,
                    "BatchGetImage",
                    p.account(),
                    p.region(),
                    p.repo().name,
                    "ImageNotFoundException");
        }
    }

    /**
     * The layers {@code a} may still download this interval: all of them, or none (the pull finds
     * them cached).
     */
    private List<String> budget(Actor a, List<String> layers) {
        Set<String> done = downloaded.computeIfAbsent(a.arn(), k -> new HashSet<>());
        Set<String> after = new HashSet<>(done);
        after.addAll(layers);
        if (after.size() > MAX_LAYERS_PER_INTERVAL) {
            return List.of();
        }
        done.addAll(layers);
        return layers;
    }

    /** The session and network of a habit's puller at {@code t}. */
    private Origin origin(Pull p, long t) {
        Actor a = p.actor();
        long hour = t - t % 3_600_000L;
        return switch (p.kind()) {
            case NODE ->
                    new Origin(
                            a.session(p.cluster().node(rng.nextInt(p.cluster().nodes())), hour),
                            Organization.vpcIp(rng, p.account(), p.region()),
                            Organization.vpce(p.account(), p.region()),
                            CONTAINERD);
            case TASK ->
                    new Origin(
                            a.session(Ids.hex(rng.nextLong(), 32), t - 5_000),
                            Organization.vpcIp(rng, p.account(), p.region()),
                            Organization.vpce(p.account(), p.region()),
                            FARGATE);
            case CI ->
                    new Origin(
                            a.session("gha-" + (100000 + rng.nextInt(900000)), t - 15_000),
                            Organization.vpcIp(rng, p.account(), p.region()),
                            Organization.vpce(p.account(), p.region()),
                            Attacks.DOCKER);
            case DEPLOY ->
                    new Origin(
                            a.session("argocd-" + p.region(), hour),
                            Organization.vpcIp(rng, p.account(), p.region()),
                            Organization.vpce(p.account(), p.region()),
                            Attacks.BOTO);
            case DEVELOPER ->
                    new Origin(
                            a.session(
                                    org.developers.get(rng.nextInt(org.developers.size())),
                                    t - t % 28_800_000L),
                            Organization.corporateIp(rng),
                            null,
                            Attacks.DOCKER);
        };
    }
}
