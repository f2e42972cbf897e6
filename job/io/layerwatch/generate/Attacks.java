package io.layerwatch.generate;

import com.fasterxml.jackson.core.JsonGenerator;
import io.layerwatch.generate.Ecr.Origin;
import io.layerwatch.generate.Organization.Pull;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The attack scripts, one per {@link Scenario}. Each injection has principals and (where it makes
 * one) repositories of its own, numbered by the injection, so its findings can be told apart from
 * every other injection's and from benign traffic. Repositories it pulls from are ones benign
 * traffic pulls too, so their learning phase has passed when the attack comes.
 */
final class Attacks {
    static final String DOCKER =
            "docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/6.1.0 os/linux arch/amd64 "
                    + "UpstreamClient(Docker-Client/24.0.7 \\(linux\\))";
    static final String CLI =
            "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023 prompt/off";
    static final String LAPTOP_CLI =
            "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off";
    static final String BOTO =
            "Boto3/1.34.50 md/Botocore#1.34.50 ua/2.0 os/linux#6.5.0 md/arch#x86_64 "
                    + "lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.50";
    static final String TERRAFORM =
            "APN/1.0 HashiCorp/1.0 Terraform/1.7.4 (+https://www.terraform.io) "
                    + "terraform-provider-aws/5.40.0 aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 api/ecr#1.27.2";
    private static final String[] VENDOR_PRODUCTS = {
        "legacy-crm", "report-engine", "sftp-gateway", "license-server", "pdf-renderer", "etl-agent"
    };

    /** Where an injection's records and label go: events in time order are not required. */
    static final class Recorder implements Ecr.Emitter {
        final List<Trail.Timed> events = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;

        @Override
        public void cloudTrail(long time, String account, String region, byte[] record) {
            add(new Trail.Timed(time, LogFile.Kind.CLOUDTRAIL, account, region, record));
        }

        @Override
        public void scanEvent(long time, String account, String region, byte[] event) {
            add(new Trail.Timed(time, LogFile.Kind.SCAN_EVENTS, account, region, event));
        }

        private void add(Trail.Timed t) {
            events.add(t);
            first = Math.min(first, t.time());
            last = Math.max(last, t.time());
        }
    }

    /** An injection: its label, its records, and how many of them are ECR's. */
    record Injection(Label label, List<Trail.Timed> events, long ecrRecords) {}

    private final Organization org;

    Attacks(Organization org) {
        this.org = org;
    }

    /** Injection number {@code k} (1-based) of {@code scenario}, starting at {@code t0}. */
    Injection inject(Scenario scenario, int k, long t0, SplittableRandom rng) {
        Recorder rec = new Recorder();
        Ecr ecr = new Ecr(new RecordWriter(rng), rec);
        String[] who = new String[2]; // principal, repository
        switch (scenario) {
            case UNEXPECTED_LAYER_DOWNLOAD -> unexpectedDownload(ecr, rng, k, t0, who);
            case REGISTRY_COPY_OUT -> copyOut(ecr, rng, k, t0, who);
            case PULL_FROM_OUTSIDE -> pullFromOutside(ecr, rng, k, t0, who);
            case STOLEN_SESSION_HOP -> hop(ecr, rng, k, t0, who);
            case PUBLIC_REPOSITORY_POLICY -> publicPolicy(ecr, rng, k, t0, who);
            case ENDGAME_BACKDOOR -> endgame(ecr, rng, k, t0, who);
            case REPOSITORY_POLICY_REMOVED -> policyRemoved(ecr, rng, k, t0, who);
            case VULNERABLE_IMAGE_PUSHED -> vulnerablePush(ecr, rng, k, t0, who);
            case HIDE_VULNERABLE_IMAGE -> hideVulnerable(ecr, rng, k, t0, who);
            case NEW_PULLER -> newPuller(ecr, rng, k, t0, who);
            case REPLICATE_TO_FOREIGN_ACCOUNT -> foreignReplication(ecr, rng, k, t0, who);
            case ACCESS_DENIED_PROBE -> accessDenied(ecr, rng, k, t0, who);
            case UNASSESSED_REGISTRY -> unassessedRegistry(ecr, rng, k, t0, who);
            case GUARDRAIL_OFF_PUSH -> guardrailOffPush(ecr, rng, k, t0, who);
            case REGISTRY_WIPE -> registryWipe(ecr, rng, k, t0, who);
            case BACKDOOR_PUSH -> backdoorPush(ecr, rng, k, t0, who);
            case RELEASE_TAG_MOVED -> releaseTagMoved(ecr, rng, k, t0, who);
            case REPOSITORY_SWEEP -> repositorySweep(ecr, rng, k, t0, who);
            case UNTRUSTED_UPSTREAM_CACHE -> untrustedUpstream(ecr, rng, k, t0, who);
            case STOLEN_WORKLOAD_CREDENTIALS -> stolenWorkloadCredentials(ecr, rng, k, t0, who);
            case ATTACK_CHAIN -> attackChain(ecr, rng, k, t0, who);
        }
        Label label =
                new Label(
                        scenario.id(),
                        scenario.ruleId(),
                        who[0],
                        who[1],
                        Instant.ofEpochMilli(rec.first / 1000 * 1000),
                        Instant.ofEpochMilli(rec.last / 1000 * 1000));
        return new Injection(label, rec.events, rec.events.size() - ecr.others);
    }

    /**
     * Registries an unassessed-registry injection can use: an organization account in a region it
     * does not use.
     */
    static int unassessedRegistries() {
        return Organization.UNUSED_REGIONS.size() * Organization.ACCOUNTS.size();
    }

    private void unexpectedDownload(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        String person =
                Organization.PEOPLE[rng.nextInt(Organization.PEOPLE.length)].replace('.', '-');
        Actor a = Actor.user(Organization.DEV, "contractor-" + person + "-" + k);
        Pull p = benignPull(rng, Organization.DEV);
        Origin o = new Origin(a.session(null, t), Organization.corporateIp(rng), null, DOCKER);
        int v = p.repo().version - rng.nextInt(3);
        List<String> layers = p.repo().layers(v);
        t = ecr.token(t, o, p.region());
        ecr.pull(
                t,
                o,
                p.account(),
                p.region(),
                p.repo(),
                v,
                layers.subList(layers.size() - 2, layers.size()));
        who[0] = a.arn();
        who[1] = p.repo().name;
    }

    private void copyOut(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Actor a = Actor.role(Organization.SHARED, "ci-mirror-sync-" + k);
        String region = Organization.HOME;
        Origin o =
                inside(
                        a,
                        "gha-" + (100000 + rng.nextInt(900000)),
                        t,
                        Organization.SHARED,
                        region,
                        DOCKER,
                        rng);
        int target = 60 + rng.nextInt(16);
        Set<String> taken = new LinkedHashSet<>();
        List<Repo> candidates =
                new ArrayList<>(org.repos.stream().filter(r -> r.home.equals(region)).toList());
        shuffle(candidates, rng);
        t = ecr.token(t, o, region);
        for (int back = 0; taken.size() < target && back < 50; back++) {
            for (Repo r : candidates) {
                if (taken.size() >= target) {
                    break;
                }
                int v = r.version - back;
                List<String> fresh = new ArrayList<>(r.layers(v));
                fresh.removeAll(taken);
                fresh = fresh.subList(0, Math.min(fresh.size(), target - taken.size()));
                taken.addAll(fresh);
                t = ecr.pull(t, o, Organization.SHARED, region, r, v, fresh);
            }
        }
        who[0] = a.arn();
    }

    private void pullFromOutside(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Pull p = benignPull(rng, Organization.PROD);
        Actor a;
        if (k % 2 == 1) {
            a = Actor.role(Organization.PROD, "release-bot-" + k);
        } else {
            String foreign =
                    Organization.FOREIGN_ACCOUNTS.get(k % Organization.FOREIGN_ACCOUNTS.size());
            a = Actor.role(foreign, "partner-ci-" + k);
        }
        Origin o =
                new Origin(
                        a.session("release-" + (1000 + rng.nextInt(9000)), t - 120_000),
                        Organization.outsideIp(rng),
                        null,
                        DOCKER);
        if (k % 2 == 1) {
            t = ecr.token(t, o, p.region()); // a foreign caller's token call is logged in its
            // own account
        }
        List<String> layers = p.repo().layers(p.repo().version);
        ecr.pull(
                t,
                o,
                p.account(),
                p.region(),
                p.repo(),
                p.repo().version,
                layers.subList(layers.size() - 2, layers.size()));
        who[0] = a.arn();
        who[1] = p.repo().name;
    }

    private void hop(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Actor a = Actor.role(Organization.DEV, "data-pipeline-" + k);
        Pull p = benignPull(rng, Organization.DEV);
        Actor.Session session = a.session("airflow-worker-" + rng.nextInt(40), t - 300_000);
        Origin inside =
                new Origin(
                        session,
                        Organization.vpcIp(rng, p.account(), p.region()),
                        Organization.vpce(p.account(), p.region()),
                        BOTO);
        t = ecr.token(t, inside, p.region());
        ecr.pull(t, inside, p.account(), p.region(), p.repo(), p.repo().version, List.of());
        Origin outside = new Origin(session, Organization.outsideIp(rng), null, DOCKER);
        long later = t + 8 * 60_000 + rng.nextInt(32 * 60_000);
        List<String> layers = p.repo().layers(p.repo().version);
        ecr.pull(
                later,
                outside,
                p.account(),
                p.region(),
                p.repo(),
                p.repo().version,
                layers.subList(layers.size() - 2, layers.size()));
        who[0] = a.arn();
        who[1] = p.repo().name;
    }

    private void publicPolicy(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Actor a = Actor.user(Organization.SHARED, "ops-automation-" + k);
        Repo r = org.repos.get(rng.nextInt(org.repos.size()));
        Origin o = new Origin(a.session(null, t), Organization.corporateIp(rng), null, CLI);
        t = ecr.read(t, o, "GetRepositoryPolicy", Organization.SHARED, r.home, r.name);
        ecr.setPolicy(
                t + 20_000,
                o,
                Organization.SHARED,
                r.home,
                r.name,
                "{\"Version\":\"2012-10-17\",\"Statement\":[{"
                        + "\"Sid\":\"AllowPull\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[\"ecr:BatchGetImage\","
                        + "\"ecr:GetDownloadUrlForLayer\",\"ecr:BatchCheckLayerAvailability\"]}]}");
        who[0] = a.arn();
        who[1] = r.name;
    }

    private void endgame(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Actor a = Actor.user(Organization.SHARED, "legacy-deployer-" + k);
        Repo r = org.repos.get(rng.nextInt(org.repos.size()));
        String foreign =
                Organization.FOREIGN_ACCOUNTS.get(
                        rng.nextInt(Organization.FOREIGN_ACCOUNTS.size()));
        Origin o = new Origin(a.session(null, t), Organization.outsideIp(rng), null, BOTO);
        t = ecr.describeRepositories(t, o, Organization.SHARED, r.home);
        ecr.setPolicy(
                t + 5_000,
                o,
                Organization.SHARED,
                r.home,
                r.name,
                "{\"Version\":\"2012-10-17\",\"Statement\":["
                        + "{\"Sid\":\"AllowCurrentAccount\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
                        + Organization.SHARED
                        + ":root\"},\"Action\":\"ecr:*\"},{\"Sid\":\"Endgame\",\"Effect\":\"Allow\","
                        + "\"Principal\":{\"AWS\":\"arn:aws:iam::"
                        + foreign
                        + ":root\"},\"Action\":\"ecr:*\"}]}");
        who[0] = a.arn();
        who[1] = r.name;
    }

    /**
     * One actor, three steps: a pull from outside, a repository made public, another repository's
     * policy deleted.
     */
    private void attackChain(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Actor a = Actor.user(Organization.SHARED, "dev-laptop-" + k);
        Pull p = benignPull(rng, Organization.SHARED);
        Origin o = new Origin(a.session(null, t), Organization.outsideIp(rng), null, CLI);
        t = ecr.token(t, o, p.region());
        List<String> layers = p.repo().layers(p.repo().version);
        t =
                ecr.pull(
                        t,
                        o,
                        p.account(),
                        p.region(),
                        p.repo(),
                        p.repo().version,
                        layers.subList(layers.size() - 2, layers.size()));
        t =
                ecr.setPolicy(
                        t + 5 * 60_000 + rng.nextInt(5 * 60_000),
                        o,
                        p.account(),
                        p.region(),
                        p.repo().name,
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Mirror\",\"Effect\":\"Allow\","
                                + "\"Principal\":\"*\",\"Action\":[\"ecr:BatchGetImage\",\"ecr:GetDownloadUrlForLayer\"]}]}");
        Repo other = org.repos.get(rng.nextInt(org.repos.size()));
        ecr.write(
                t + 5 * 60_000 + rng.nextInt(10 * 60_000),
                o,
                "DeleteRepositoryPolicy",
                Organization.SHARED,
                other.home,
                other.name,
                null);
        who[0] = a.arn();
    }

    private void policyRemoved(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Actor a = Actor.role(Organization.SHARED, "cleanup-automation-" + k);
        Repo r = org.repos.get(rng.nextInt(org.repos.size()));
        Origin o =
                inside(
                        a,
                        "cleanup-" + Ids.hex(rng.nextLong(), 8),
                        t,
                        Organization.SHARED,
                        r.home,
                        BOTO,
                        rng);
        t = ecr.read(t, o, "GetRepositoryPolicy", Organization.SHARED, r.home, r.name);
        ecr.write(t, o, "DeleteRepositoryPolicy", Organization.SHARED, r.home, r.name, null);
        who[0] = a.arn();
        who[1] = r.name;
    }

    /** CreateRepository, push, and a scan with critical findings; returns the scan time. */
    private long vulnerableImage(Ecr ecr, SplittableRandom rng, Repo r, Actor pusher, long t) {
        Origin o =
                inside(
                        pusher,
                        "gha-" + (100000 + rng.nextInt(900000)),
                        t,
                        Organization.SHARED,
                        r.home,
                        DOCKER,
                        rng);
        t = ecr.createRepository(t, o, Organization.SHARED, r.home, r.name);
        t = ecr.token(t + 30_000, o, r.home);
        long pushed = ecr.push(t, o, Organization.SHARED, r.home, r, r.version);
        int[] counts = {
            2 + rng.nextInt(5), 6 + rng.nextInt(20), 10 + rng.nextInt(40), rng.nextInt(60)
        };
        return ecr.scan(
                pushed,
                20_000 + rng.nextInt(60_000),
                Organization.SHARED,
                r.home,
                r,
                r.version,
                counts);
    }

    private Repo vendorRepo(SplittableRandom rng, int k, String suffix, boolean enhanced) {
        String name =
                "vendor/" + VENDOR_PRODUCTS[rng.nextInt(VENDOR_PRODUCTS.length)] + suffix + "-" + k;
        return new Repo(
                name,
                Organization.HOME,
                List.of(Organization.HOME),
                org.bases.get(rng.nextInt(org.bases.size())),
                2 + rng.nextInt(4),
                enhanced,
                "vendor",
                1);
    }

    private void vulnerablePush(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        boolean enhanced = k % 2 == 0;
        Repo r = vendorRepo(rng, k, "", enhanced);
        vulnerableImage(ecr, rng, r, Actor.role(Organization.SHARED, "ci-vendor-import-" + k), t);
        who[0] = enhanced ? "service:aws.inspector2" : "service:aws.ecr";
        who[1] = r.name;
    }

    private void hideVulnerable(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Repo r = vendorRepo(rng, k, "-legacy", false);
        long scanned =
                vulnerableImage(
                        ecr,
                        rng,
                        r,
                        Actor.role(Organization.SHARED, "ci-vendor-import-legacy-" + k),
                        t);
        Actor a = Actor.role(Organization.SHARED, "ops-oncall-" + k);
        Origin o =
                inside(
                        a,
                        Organization.PEOPLE[rng.nextInt(Organization.PEOPLE.length)],
                        scanned,
                        Organization.SHARED,
                        r.home,
                        CLI,
                        rng);
        long change = scanned + 15 * 60_000 + rng.nextInt(105 * 60_000);
        switch (k % 3) {
            case 1 ->
                    ecr.write(
                            change,
                            o,
                            "PutImageScanningConfiguration",
                            Organization.SHARED,
                            r.home,
                            r.name,
                            g -> {
                                g.writeObjectFieldStart("imageScanningConfiguration");
                                g.writeBooleanField("scanOnPush", false);
                                g.writeEndObject();
                            });
            case 2 ->
                    ecr.write(
                            change,
                            o,
                            "PutImageTagMutability",
                            Organization.SHARED,
                            r.home,
                            r.name,
                            g -> g.writeStringField("imageTagMutability", "MUTABLE"));
            default ->
                    ecr.write(
                            change,
                            o,
                            "BatchDeleteImage",
                            Organization.SHARED,
                            r.home,
                            r.name,
                            g -> {
                                g.writeArrayFieldStart("imageIds");
                                g.writeStartObject();
                                g.writeStringField("imageDigest", r.digest(r.version));
                                g.writeEndObject();
                                g.writeEndArray();
                            });
        }
        who[0] = a.arn();
        who[1] = r.name;
    }

    private void newPuller(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Pull p = benignPull(rng, Organization.PROD);
        Actor a = Actor.role(Organization.PROD, "eks-node-analytics-" + k);
        Origin o =
                inside(
                        a,
                        "i-0" + Ids.hex(rng.nextLong(), 16),
                        t - 600_000,
                        p.account(),
                        p.region(),
                        "containerd/v1.7.11",
                        rng);
        t = ecr.token(t, o, p.region());
        ecr.pull(
                t,
                o,
                p.account(),
                p.region(),
                p.repo(),
                p.repo().version,
                p.repo().layers(p.repo().version));
        who[0] = a.arn();
        who[1] = p.repo().name;
    }

    private void foreignReplication(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Actor a = Actor.user(Organization.SHARED, "terraform-legacy-" + k);
        Origin o = new Origin(a.session(null, t), Organization.corporateIp(rng), null, TERRAFORM);
        String foreign =
                Organization.FOREIGN_ACCOUNTS.get(
                        rng.nextInt(Organization.FOREIGN_ACCOUNTS.size()));
        t = ecr.emit(ecr.call(t, "DescribeRegistry", Organization.SHARED, Organization.HOME, o));
        ecr.replication(
                t,
                o,
                Organization.SHARED,
                Organization.HOME,
                List.of(
                        new String[] {Organization.SECOND, Organization.PROD},
                        new String[] {Organization.HOME, Organization.DEV},
                        new String[] {Organization.HOME, foreign}));
        who[0] = a.arn();
    }

    private void accessDenied(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Actor a = Actor.role(Organization.PROD, "reporting-task-" + k);
        Origin o =
                inside(
                        a,
                        Ids.hex(rng.nextLong(), 32),
                        t - 60_000,
                        Organization.PROD,
                        Organization.HOME,
                        BOTO,
                        rng);
        String[] calls = {"BatchGetImage", "GetDownloadUrlForLayer", "BatchCheckLayerAvailability"};
        int n = 12 + rng.nextInt(6);
        for (int i = 0; i < n; i++) {
            Repo r = org.repos.get(rng.nextInt(org.repos.size()));
            t =
                    ecr.denied(
                            t + rng.nextInt(12_000),
                            o,
                            calls[i % calls.length],
                            Organization.PROD,
                            Organization.HOME,
                            r.name,
                            "AccessDenied");
        }
        who[0] = a.arn();
    }

    private void unassessedRegistry(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        int combo = (k - 1) % unassessedRegistries();
        String region = Organization.UNUSED_REGIONS.get(combo / Organization.ACCOUNTS.size());
        String account = Organization.ACCOUNTS.get(combo % Organization.ACCOUNTS.size());
        Repo template = org.repos.get(rng.nextInt(org.repos.size()));
        Repo r =
                new Repo(
                        template.name,
                        region,
                        List.of(region),
                        template.base,
                        template.appLayers,
                        false,
                        template.team,
                        template.version);
        Actor a = Actor.role(account, "ci-regional-rollout-" + k);
        Origin o =
                inside(a, "gha-" + (100000 + rng.nextInt(900000)), t, account, region, DOCKER, rng);
        t = ecr.createRepository(t, o, account, region, r.name);
        t = ecr.token(t + 10_000, o, region);
        ecr.push(t, o, account, region, r, r.version);
        who[0] = a.arn();
        who[1] = r.name;
    }

    /**
     * {@code aws ecr put-image} with a leaked long-term key from outside: the manifest of an old
     * version under a new tag, with no GetAuthorizationToken (no docker login) before it.
     */
    private void backdoorPush(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Actor a = Actor.user(Organization.SHARED, "release-legacy-" + k);
        Repo r = org.repos.get(rng.nextInt(org.repos.size()));
        Origin o =
                new Origin(
                        a.session(null, t),
                        Organization.outsideIp(rng),
                        null,
                        CLI + " command/ecr.put-image");
        t = ecr.read(t, o, "DescribeImages", Organization.SHARED, r.home, r.name);
        int old = r.version - 1 - rng.nextInt(5);
        ecr.putImage(
                t + 10_000, o, Organization.SHARED, r.home, r.name, "hotfix-" + k, r.digest(old));
        who[0] = a.arn();
        who[1] = r.name;
    }

    /**
     * A release pipeline's role pushes a release of a repository of its own, then 5-25 minutes
     * later pushes the same tag with another image (a manifest of the next build, its layers
     * uploaded already).
     */
    private void releaseTagMoved(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Repo r = vendorRepo(rng, k, "-release", false);
        Actor a = Actor.role(Organization.SHARED, "ci-release-" + k);
        Origin o =
                inside(
                        a,
                        "gha-" + (100000 + rng.nextInt(900000)),
                        t,
                        Organization.SHARED,
                        r.home,
                        DOCKER,
                        rng);
        t = ecr.token(t, o, r.home);
        long pushed = ecr.push(t, o, Organization.SHARED, r.home, r, r.version);
        ecr.putImage(
                pushed + 5 * 60_000 + rng.nextInt(20 * 60_000),
                o,
                Organization.SHARED,
                r.home,
                r.name,
                r.tag(r.version),
                r.digest(r.version + 1));
        who[0] = a.arn();
        who[1] = r.name;
    }

    /**
     * Reads of 22 to 29 distinct repositories (the registry of SHARED, then the replicas in PROD
     * and DEV): no pulls, so no other rule has anything to say.
     */
    private void repositorySweep(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Actor a = Actor.user(Organization.SHARED, "reporting-script-" + k);
        Origin o = new Origin(a.session(null, t), Organization.corporateIp(rng), null, BOTO);
        String[] reads = {
            "DescribeImages",
            "ListImages",
            "GetRepositoryPolicy",
            "DescribeImageScanFindings",
            "GetLifecyclePolicy"
        };
        List<Repo> repos = new ArrayList<>(org.bases);
        repos.addAll(org.repos);
        int target = 22 + rng.nextInt(8);
        int done = 0;
        for (String account : Organization.ACCOUNTS) {
            if (done == target) {
                break;
            }
            t = ecr.describeRepositories(t, o, account, Organization.HOME);
            for (Repo r : repos.subList(0, Math.min(repos.size(), target - done))) {
                done++;
                t = ecr.read(t, o, reads[rng.nextInt(reads.length)], account, r.home, r.name);
                if (rng.nextBoolean()) {
                    t = ecr.read(t, o, reads[rng.nextInt(reads.length)], account, r.home, r.name);
                }
            }
        }
        who[0] = a.arn();
    }

    /**
     * CreatePullThroughCacheRule for an unknown registry (odd k) or a foreign account's ECR
     * registry (even k).
     */
    private void untrustedUpstream(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Actor a = Actor.role(Organization.SHARED, "platform-bootstrap-" + k);
        Origin o =
                inside(
                        a,
                        "tf-" + Ids.hex(rng.nextLong(), 8),
                        t,
                        Organization.SHARED,
                        Organization.HOME,
                        TERRAFORM,
                        rng);
        String foreign =
                Organization.FOREIGN_ACCOUNTS.get(
                        rng.nextInt(Organization.FOREIGN_ACCOUNTS.size()));
        boolean ecrUpstream = k % 2 == 0;
        String upstream =
                ecrUpstream
                        ? foreign + ".dkr.ecr." + Organization.HOME + ".amazonaws.com"
                        : "registry.mirror-" + Ids.hex(rng.nextLong(), 4) + ".example";
        t =
                ecr.emit(
                        ecr.call(
                                t,
                                "DescribePullThroughCacheRules",
                                Organization.SHARED,
                                Organization.HOME,
                                o));
        ecr.pullThroughCache(
                t,
                o,
                Organization.SHARED,
                Organization.HOME,
                "base-" + k,
                upstream,
                ecrUpstream ? "ecr" : "azure-container-registry");
        who[0] = a.arn();
    }

    /** A guardrail taken down from a laptop, then a push of an image no pipeline built. */
    private void guardrailOffPush(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Repo r = org.repos.get(rng.nextInt(org.repos.size()));
        Actor a = Actor.role(Organization.SHARED, "release-hotfix-" + k);
        Actor.Session session =
                a.session(Organization.PEOPLE[rng.nextInt(Organization.PEOPLE.length)], t - 60_000);
        String ip = Organization.corporateIp(rng);
        Origin cli = new Origin(session, ip, null, CLI);
        String account = Organization.SHARED;
        switch (k % 3) {
            case 1 ->
                    ecr.write(
                            t,
                            cli,
                            "PutImageScanningConfiguration",
                            account,
                            r.home,
                            r.name,
                            g -> {
                                g.writeObjectFieldStart("imageScanningConfiguration");
                                g.writeBooleanField("scanOnPush", false);
                                g.writeEndObject();
                            });
            case 2 ->
                    ecr.write(
                            t,
                            cli,
                            "PutImageTagMutability",
                            account,
                            r.home,
                            r.name,
                            g -> g.writeStringField("imageTagMutability", "MUTABLE"));
            default ->
                    ecr.emit(
                            ecr.call(t, "PutRegistryScanningConfiguration", account, r.home, cli)
                                    .params(g -> registryScanning(g, "MANUAL")));
        }
        Origin docker = new Origin(session, ip, null, DOCKER);
        t = ecr.token(t + 5 * 60_000 + rng.nextInt(30 * 60_000), docker, r.home);
        ecr.push(t, docker, account, r.home, r, r.version + 50);
        who[0] = a.arn();
        who[1] = r.name;
    }

    /**
     * Images deleted by the dozen, three repositories deleted, or a lifecycle policy that keeps one
     * image.
     */
    private void registryWipe(Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Actor a = Actor.user(Organization.SHARED, "svc-backup-" + k);
        Origin o = new Origin(a.session(null, t), Organization.corporateIp(rng), null, CLI);
        String account = Organization.SHARED;
        List<Repo> repos = new ArrayList<>(org.repos);
        shuffle(repos, rng);
        switch (k % 3) {
            case 1 -> {
                for (Repo r : repos.subList(0, 2)) {
                    t =
                            ecr.write(
                                    t + 20_000 + rng.nextInt(60_000),
                                    o,
                                    "BatchDeleteImage",
                                    account,
                                    r.home,
                                    r.name,
                                    g -> Benign.imageIds(g, r, r.version - 40, 15));
                }
            }
            case 2 -> {
                for (Repo r : repos.subList(0, 3)) {
                    t =
                            ecr.write(
                                    t + 30_000 + rng.nextInt(120_000),
                                    o,
                                    "DeleteRepository",
                                    account,
                                    r.home,
                                    r.name,
                                    g -> g.writeBooleanField("force", true));
                }
            }
            default -> {
                Repo r = repos.get(0);
                ecr.write(
                        t,
                        o,
                        "PutLifecyclePolicy",
                        account,
                        r.home,
                        r.name,
                        g ->
                                g.writeStringField(
                                        "lifecyclePolicyText",
                                        "{\"rules\":[{\"rulePriority\":1,\"description\":\"cost saving\","
                                                + "\"selection\":{\"tagStatus\":\"any\",\"countType\":\"imageCountMoreThan\","
                                                + "\"countNumber\":1},\"action\":{\"type\":\"expire\"}}]}"));
            }
        }
        who[0] = a.arn(); // per principal: no repository, whichever variant
    }

    /**
     * PutRegistryScanningConfiguration parameters: basic scanning of every repository at {@code
     * frequency}.
     */
    private static void registryScanning(JsonGenerator g, String frequency) throws IOException {
        g.writeStringField("scanType", "BASIC");
        g.writeArrayFieldStart("rules");
        g.writeStartObject();
        g.writeStringField("scanFrequency", frequency);
        g.writeArrayFieldStart("repositoryFilters");
        g.writeStartObject();
        g.writeStringField("filter", "*");
        g.writeStringField("filterType", "WILDCARD");
        g.writeEndObject();
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndArray();
    }

    /**
     * As flaws2: the runtime's own first call from inside AWS, then the session key on a laptop.
     */
    private void stolenWorkloadCredentials(
            Ecr ecr, SplittableRandom rng, int k, long t, String[] who) {
        Pull p = benignPull(rng, Organization.PROD);
        boolean lambda = k % 2 == 1;
        String name = (lambda ? "fn-thumbnailer-" : "ecs-report-task-") + k;
        Actor a = Actor.role(Organization.PROD, name);
        Actor.Session session = a.session(lambda ? name : Ids.hex(rng.nextLong(), 32), t - 30_000);
        Origin runtime =
                new Origin(
                        session,
                        Organization.awsIp(rng, lambda),
                        null,
                        lambda ? Benign.LAMBDA_WORKER : BOTO + " exec-env/AWS_ECS_FARGATE");
        t =
                lambda
                        ? ecr.otherService(
                                t,
                                "logs.amazonaws.com",
                                "CreateLogStream",
                                p.account(),
                                p.region(),
                                runtime)
                        : ecr.otherService(
                                t,
                                "s3.amazonaws.com",
                                "GetObject",
                                p.account(),
                                p.region(),
                                runtime);
        Origin laptop = new Origin(session, Organization.outsideIp(rng), null, LAPTOP_CLI);
        t =
                ecr.read(
                        t + 5 * 60_000 + rng.nextInt(35 * 60_000),
                        laptop,
                        "ListImages",
                        p.account(),
                        p.region(),
                        p.repo().name);
        List<String> layers = p.repo().layers(p.repo().version);
        ecr.pull(
                t,
                laptop,
                p.account(),
                p.region(),
                p.repo(),
                p.repo().version,
                layers.subList(layers.size() - 1, layers.size()));
        who[0] = a.arn();
        who[1] = p.repo().name;
    }

    /**
     * A benign habit on a registry of {@code account}: a repository that has learned its pullers.
     */
    private Pull benignPull(SplittableRandom rng, String account) {
        List<Pull> candidates =
                org.pulls.stream().filter(p -> p.account().equals(account)).toList();
        return candidates.get(rng.nextInt(candidates.size()));
    }

    private static Origin inside(
            Actor a,
            String session,
            long created,
            String account,
            String region,
            String agent,
            SplittableRandom rng) {
        return new Origin(
                a.session(session, created),
                Organization.vpcIp(rng, account, region),
                Organization.vpce(account, region),
                agent);
    }

    static <T> void shuffle(List<T> list, SplittableRandom rng) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T tmp = list.get(i);
            list.set(i, list.get(j));
            list.set(j, tmp);
        }
    }
}
