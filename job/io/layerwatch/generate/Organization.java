package io.layerwatch.generate;

import io.layerwatch.config.ParamType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The generated AWS organization: three member accounts, two regions, ECR repositories and the
 * principals that use them, sized by the expected ECR volume.
 *
 * <ul>
 *   <li>{@link #SHARED} holds CI and the registry CI pushes to; ECR replication (configured before
 *       the trail starts) copies every image to the same repository in {@link #PROD} and {@link
 *       #DEV}. So workloads pull from their own account's registry: no benign cross-account ECR
 *       calls.
 *   <li>ECR calls come from trusted networks only: VPC addresses (10.0.0.0/8) through each
 *       account's ECR interface endpoint, or the corporate egress range {@link #CORPORATE_CIDR}.
 *   <li>Every benign pull is one of {@link #pulls}: who pulls which repository of which registry.
 *       The trail opens with a learning phase in which each of them happens at least once.
 * </ul>
 */
final class Organization {
    static final String SHARED = "111122223333";
    static final String PROD = "444455556666";
    static final String DEV = "777788889999";
    static final List<String> ACCOUNTS = List.of(SHARED, PROD, DEV);
    static final String HOME = "us-east-1";
    static final String SECOND = "eu-west-1";
    static final List<String> REGIONS = List.of(HOME, SECOND);

    /** Regions the organization does not use: where a registry that is not assessed can appear. */
    static final List<String> UNUSED_REGIONS =
            List.of(
                    "ap-southeast-2",
                    "ap-northeast-1",
                    "eu-central-1",
                    "us-west-2",
                    "sa-east-1",
                    "ca-central-1",
                    "eu-north-1",
                    "ap-south-1");

    static final String ORGANIZATION_ID = "o-k7x2m9q4ab";
    static final String SCANNER = "security-scanner";
    static final List<String> FOREIGN_ACCOUNTS =
            List.of("999988887777", "210987654321", "135792468024");
    static final String VPC_CIDR = "10.0.0.0/8";
    static final String CORPORATE_CIDR = "192.0.2.0/28";

    /** Outside every trusted range (documentation prefixes): attackers' addresses. */
    static final String[] OUTSIDE_PREFIXES = {"203.0.113.", "198.51.100."};

    /**
     * Workload roles whose layer downloads are expected (the layer-download allowlist of {@link
     * #rulesYaml}).
     */
    static final List<String> EXPECTED_PULLERS =
            List.of(
                    "arn:aws:iam::*:role/ci-*",
                    "arn:aws:iam::*:role/eks-node-*",
                    "arn:aws:iam::*:role/ecs-task-exec-*",
                    "arn:aws:iam::*:role/deploy-*",
                    "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_*");

    private static final String[] TEAMS = {
        "payments",
        "checkout",
        "identity",
        "search",
        "catalog",
        "shipping",
        "notifications",
        "analytics",
        "ledger",
        "pricing",
        "inventory",
        "media",
        "growth",
        "support",
        "risk",
        "maps"
    };
    private static final String[] SERVICES = {
        "api",
        "worker",
        "web",
        "consumer",
        "scheduler",
        "gateway",
        "sync",
        "exporter",
        "indexer",
        "cron",
        "admin",
        "events"
    };
    private static final String[] BASES = {
        "base/python", "base/node", "base/java", "base/go-distroless", "base/nginx"
    };
    static final String[] PEOPLE = {
        "alice.martin",
        "bob.chen",
        "carol.nguyen",
        "dave.okafor",
        "erin.schmidt",
        "frank.silva",
        "grace.kim",
        "heidi.patel",
        "ivan.rossi",
        "judy.haddad",
        "karl.berg",
        "lena.novak",
        "mike.tanaka",
        "nina.alvarez",
        "omar.farouk",
        "paula.costa",
        "quinn.oneill",
        "raj.iyer",
        "sara.lind",
        "tom.evans"
    };

    /** Kinds of benign pullers, each with its own habits. */
    enum PullerKind {
        NODE,
        TASK,
        CI,
        DEPLOY,
        DEVELOPER
    }

    /**
     * A benign puller's habit: {@code actor} pulls {@code repo} from the registry of {@code
     * account} in {@code region}.
     */
    record Pull(
            Actor actor,
            PullerKind kind,
            String account,
            String region,
            Repo repo,
            Cluster cluster) {
        String repositoryKey() {
            return account + ":" + region + ":" + repo.name;
        }
    }

    /** An EKS cluster: its node role pulls through instance sessions. */
    record Cluster(String name, String account, String region, Actor nodeRole, int nodes) {
        String node(int i) {
            return "i-0" + Ids.hex(Ids.hash(name, i, 0), 16);
        }
    }

    final List<Repo> bases = new ArrayList<>();
    final List<Repo> repos = new ArrayList<>();
    final List<Cluster> clusters = new ArrayList<>();
    final Map<String, Actor> ci = new LinkedHashMap<>();
    final List<Pull> pulls = new ArrayList<>();
    final List<Pull> taskPulls = new ArrayList<>();
    final Actor deployProd = Actor.role(PROD, "deploy-prod");
    final Actor deployDev = Actor.role(DEV, "deploy-dev");
    final Actor developer = Actor.ssoRole(DEV, "Developer");
    final Actor platformAdmin = Actor.ssoRole(SHARED, "PlatformAdmin");

    /**
     * A container security scanner reading every repository of the shared registry
     * (repository-enumeration allowlist).
     */
    final Actor scanner = Actor.role(SHARED, SCANNER);

    final List<String> developers = new ArrayList<>();

    /**
     * @param ecrPerDay expected benign ECR records per day: sizes repositories, clusters and teams
     *     so that no principal comes near the burst thresholds
     */
    Organization(SplittableRandom rng, double ecrPerDay) {
        for (int i = 0; i < BASES.length; i++) {
            bases.add(
                    new Repo(
                            BASES[i],
                            HOME,
                            REGIONS,
                            null,
                            2 + rng.nextInt(3),
                            false,
                            "platform",
                            5 + rng.nextInt(40)));
        }
        int repoCount = (int) Math.max(8, Math.min(400, Math.round(Math.sqrt(ecrPerDay) / 3)));
        for (int i = 0; i < repoCount; i++) {
            String team = TEAMS[i % TEAMS.length];
            String service =
                    SERVICES[(i / TEAMS.length + 5 * (i % TEAMS.length)) % SERVICES.length];
            int generation = i / (TEAMS.length * SERVICES.length);
            String name = team + "/" + service + (generation == 0 ? "" : "-" + (generation + 1));
            boolean both = rng.nextInt(10) < 4;
            String home = both || rng.nextInt(6) > 0 ? HOME : SECOND;
            repos.add(
                    new Repo(
                            name,
                            home,
                            both ? REGIONS : List.of(home),
                            bases.get(rng.nextInt(bases.size())),
                            2 + rng.nextInt(5),
                            rng.nextInt(3) == 0,
                            team,
                            10 + rng.nextInt(300)));
        }
        int perEnv = (int) Math.max(1, Math.min(12, ecrPerDay / 150_000));
        for (int i = 0; i < perEnv; i++) {
            String suffix = perEnv == 1 ? "" : "-" + (char) ('a' + i);
            clusters.add(cluster("prod-use1" + suffix, PROD, HOME, rng));
            clusters.add(cluster("prod-euw1" + suffix, PROD, SECOND, rng));
            clusters.add(cluster("dev-use1" + suffix, DEV, HOME, rng));
        }
        int people = (int) Math.max(5, Math.min(PEOPLE.length * 10, ecrPerDay / 4000));
        for (int i = 0; i < people; i++) {
            developers.add(
                    PEOPLE[i % PEOPLE.length]
                            + (i < PEOPLE.length ? "" : String.valueOf(i / PEOPLE.length + 1))
                            + "@example.com");
        }
        for (Repo r : repos) {
            ci.computeIfAbsent(r.team, t -> Actor.role(SHARED, "ci-build-" + t));
        }
        habits(rng);
    }

    private static Cluster cluster(
            String name, String account, String region, SplittableRandom rng) {
        return new Cluster(
                name,
                account,
                region,
                Actor.role(account, "eks-node-" + name),
                6 + rng.nextInt(20));
    }

    /**
     * Who pulls what. Every repository is pulled somewhere, so each learns its pullers from the
     * start.
     */
    private void habits(SplittableRandom rng) {
        for (Repo r : repos) {
            Actor builder = ci.get(r.team);
            pulls.add(new Pull(builder, PullerKind.CI, SHARED, r.home, r, null));
            pulls.add(new Pull(builder, PullerKind.CI, SHARED, r.home, r.base, null));
            boolean onEcs = r.in(HOME) && rng.nextInt(4) == 0;
            for (String region : r.regions) {
                pulls.add(new Pull(deployProd, PullerKind.DEPLOY, PROD, region, r, null));
                pulls.add(new Pull(developer, PullerKind.DEVELOPER, DEV, region, r, null));
            }
            if (onEcs) {
                Actor task = Actor.role(PROD, "ecs-task-exec-" + r.name.replace('/', '-'));
                Pull p = new Pull(task, PullerKind.TASK, PROD, HOME, r, null);
                pulls.add(p);
                taskPulls.add(p);
            }
            for (Cluster c : clusters) {
                boolean runs = r.in(c.region()) && (!onEcs || c.account().equals(DEV));
                if (runs && (c.account().equals(DEV) || rng.nextInt(clusters.size() / 3) == 0)) {
                    pulls.add(
                            new Pull(c.nodeRole(), PullerKind.NODE, c.account(), c.region(), r, c));
                }
            }
            if (r.in(HOME)) {
                pulls.add(new Pull(deployDev, PullerKind.DEPLOY, DEV, HOME, r, null));
            }
        }
        // One habit per principal and repository (a team's CI builds several repositories on one
        // base).
        List<Pull> unique = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Pull p : pulls) {
            if (seen.add(p.actor().arn() + "|" + p.repositoryKey())) {
                unique.add(p);
            }
        }
        pulls.clear();
        pulls.addAll(unique);
    }

    /** The interface endpoint of ECR in an account's VPC of a region (trusted). */
    static String vpce(String account, String region) {
        return "vpce-0" + Ids.hex(Ids.hash("vpce", Long.parseLong(account), region.hashCode()), 16);
    }

    /** A VPC address of an account's network in a region (always inside {@link #VPC_CIDR}). */
    static String vpcIp(SplittableRandom rng, String account, String region) {
        int net = (int) Math.floorMod(Ids.hash(account + region), 200) + 20;
        return "10." + net + "." + rng.nextInt(64) + "." + (4 + rng.nextInt(250));
    }

    static String corporateIp(SplittableRandom rng) {
        return "192.0.2." + (1 + rng.nextInt(14));
    }

    /**
     * A public address of AWS's own (a Lambda worker, a task with a public IP): not a trusted
     * network.
     */
    static String awsIp(SplittableRandom rng, boolean worker) {
        return (worker ? "52.94." : "3.218.") + rng.nextInt(256) + "." + (1 + rng.nextInt(254));
    }

    static String outsideIp(SplittableRandom rng) {
        return OUTSIDE_PREFIXES[rng.nextInt(OUTSIDE_PREFIXES.length)] + (1 + rng.nextInt(254));
    }

    /** Registries that benign traffic uses: all of them are enrolled in image assessment. */
    static List<String> registries() {
        List<String> out = new ArrayList<>();
        for (String a : ACCOUNTS) {
            for (String r : REGIONS) {
                out.add(a + ":" + r);
            }
        }
        return out;
    }

    /**
     * The organization's trust settings as a LayerWatch rules file over the built-in defaults:
     * trusted networks and accounts, the expected layer downloaders, the learning phase, the
     * registries that must be assessed and those enrolled.
     */
    static String rulesYaml(Duration learningPeriod) {
        StringBuilder y = new StringBuilder();
        y.append(
                        "# Trust settings of the organization `layerwatch generate` made up; replay its trail with\n")
                .append("#   layerwatch replay --rules THIS_FILE --out OUT DIR\n")
                .append("allowlist:\n")
                .append("  trustedCidrs: [")
                .append(VPC_CIDR)
                .append(", ")
                .append(CORPORATE_CIDR)
                .append("]   # VPCs and the corporate egress\n")
                .append("  trustedVpcEndpoints: [");
        List<String> endpoints = new ArrayList<>();
        for (String a : ACCOUNTS) {
            for (String r : REGIONS) {
                endpoints.add(vpce(a, r));
            }
        }
        y.append(String.join(", ", endpoints))
                .append("]\n")
                .append("  trustedAccounts: [")
                .append(quoted(ACCOUNTS))
                .append("]\n")
                .append("  organizationId: ")
                .append(ORGANIZATION_ID)
                .append('\n')
                .append("rules:\n")
                .append("  layer-download:\n")
                .append(
                        "    allowlist:      # workloads whose layer downloads are expected; anyone else is reported\n")
                .append("      principals: [")
                .append(quoted(EXPECTED_PULLERS))
                .append("]\n")
                .append("  first-seen-puller:\n")
                .append("    learningPeriod: ")
                .append(ParamType.format(learningPeriod))
                .append("   # the trail's learning phase: every benign puller shows up in it\n")
                .append("  unexpected-image-push:\n")
                .append("    pushers: [")
                .append(
                        quoted(
                                ACCOUNTS.stream()
                                        .map(a -> "arn:aws:iam::" + a + ":role/ci-*")
                                        .toList()))
                .append("]   # CI builds and imports push; anyone else is reported\n")
                .append("  repository-enumeration:\n")
                .append(
                        "    allowlist:      # the container scanner, and workloads whose pulls span many repositories\n")
                .append("      principals: [\"")
                .append(Actor.role(SHARED, SCANNER).arn())
                .append("\", ")
                .append(quoted(EXPECTED_PULLERS))
                .append("]\n")
                .append("  registry-not-assessed:\n")
                .append("    registries: [")
                .append(quoted(ACCOUNTS.stream().map(a -> a + ":*").toList()))
                .append("]\n")
                .append("    enrolled: [")
                .append(quoted(registries()))
                .append("]\n");
        return y.toString();
    }

    private static String quoted(List<String> values) {
        return String.join(", ", values.stream().map(v -> "\"" + v + "\"").toList());
    }
}
