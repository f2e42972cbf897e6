package io.layerwatch.policies;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.FOREIGN_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.TIME;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.cli.PoliciesCommandTest;
import io.layerwatch.cli.PoliciesCommandTest.Run;
import io.layerwatch.config.ConfigException;
import io.layerwatch.policies.IamPolicyChecks.Kind;
import io.layerwatch.policies.ObservedPullers.Judged;
import io.layerwatch.policies.ObservedPullers.Puller;
import io.layerwatch.policies.ObservedPullers.Verdict;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.CloudTrailRecords.Builder;
import io.layerwatch.util.Json;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code layerwatch policies --pullers}: the SCP allows who pulled, and says whom it would still
 * deny.
 */
class ObservedPullersTest {

    static final String ECS_ROLE = "arn:aws:iam::" + ACCOUNT + ":role/service-role/ecs-exec";

    /**
     * A pull of {@code repo} by {@code who}, {@code daysBefore} days before {@link
     * CloudTrailRecords#TIME}.
     */
    static Builder pull(Builder who, double daysBefore) {
        return who.repositoryName("app")
                .time(TIME.minus(Duration.ofMinutes((long) (daysBefore * 1440))));
    }

    /**
     * A session of the role service-role/ecs-exec: the session ARN has no path, the issuer's has.
     */
    static ObjectNode ecsExecution(Builder b) {
        ObjectNode r = b.toNode();
        ObjectNode identity = (ObjectNode) r.get("userIdentity");
        identity.put("arn", "arn:aws:sts::" + ACCOUNT + ":assumed-role/ecs-exec/task-1");
        ((ObjectNode) identity.at("/sessionContext/sessionIssuer"))
                .put("arn", ECS_ROLE)
                .put("userName", "ecs-exec");
        return r;
    }

    /** A small recorded trail: who pulled over 40 days, and some calls that are no pulls. */
    static List<JsonNode> trail() {
        List<JsonNode> records = new ArrayList<>();
        records.add(ecsExecution(pull(record("BatchGetImage"), 0)));
        records.add(ecsExecution(pull(record("GetDownloadUrlForLayer"), 5)));
        records.add(
                pull(record("BatchGetImage").assumedRole(ACCOUNT, "ci-build", "job-7"), 2)
                        .toNode());
        for (int i = 0; i < 3; i++) {
            records.add(
                    pull(record("GetDownloadUrlForLayer").iamUser(ACCOUNT, "bob"), 1 + i).toNode());
        }
        records.add(pull(record("BatchGetImage").root(ACCOUNT), 3).toNode());
        records.add(pull(record("BatchGetImage").awsService("ecs.amazonaws.com"), 1).toNode());
        // Older than 30 days, failed, or no pull: not pullers.
        records.add(
                pull(record("BatchGetImage").assumedRole(ACCOUNT, "old-batch", "s"), 40).toNode());
        records.add(
                pull(record("BatchGetImage").assumedRole(FOREIGN_ACCOUNT, "Operator", "x"), 1)
                        .errorCode("AccessDeniedException")
                        .toNode());
        records.add(
                pull(record("DescribeImages").assumedRole(ACCOUNT, "lister", "s"), 0.5).toNode());
        return records;
    }

    static Path gzipLogFile(Path dir, List<JsonNode> records) throws Exception {
        Path file =
                dir.resolve(
                        ACCOUNT + "_CloudTrail_us-east-1_20240501T1205Z_abcdEFGH12345678.json.gz");
        StringBuilder text = new StringBuilder("{\"Records\":[");
        for (int i = 0; i < records.size(); i++) {
            text.append(i == 0 ? "" : ",").append(records.get(i));
        }
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.append("]}").toString().getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    static ObservedPullers observe(int days, List<JsonNode> records) {
        ObservedPullers observed = new ObservedPullers(days);
        for (JsonNode r : records) {
            CloudTrailRecords.decodeAll(r.toString()).forEach(observed::accept);
        }
        return observed;
    }

    static Path rules(Path dir) throws Exception {
        Path rules = dir.resolve("mine.yaml");
        Files.writeString(rules, PreventivePoliciesTest.RULES);
        return rules;
    }

    @Test
    void pullersAreKeyedAsPrincipalArnWithinTheWindow() {
        ObservedPullers observed = observe(30, trail());
        assertThat(observed.windowEnd()).isEqualTo(TIME);
        assertThat(observed.windowStart()).isEqualTo(Instant.parse("2024-04-01T00:00:00Z"));
        assertThat(observed.pullers())
                .extracting(Puller::arn, Puller::kind, Puller::pulls)
                .containsExactly(
                        tuple(
                                "arn:aws:iam::" + ACCOUNT + ":role/ci-build",
                                ObservedPullers.Kind.ROLE,
                                1L),
                        tuple(ECS_ROLE, ObservedPullers.Kind.ROLE, 2L),
                        tuple("arn:aws:iam::" + ACCOUNT + ":root", ObservedPullers.Kind.ROOT, 1L),
                        tuple(
                                "arn:aws:iam::" + ACCOUNT + ":user/bob",
                                ObservedPullers.Kind.USER,
                                3L),
                        tuple("service:ecs.amazonaws.com", ObservedPullers.Kind.SERVICE, 1L));
        // A longer window takes the 40-day-old pull in.
        assertThat(observe(45, trail()).pullers())
                .extracting(Puller::arn)
                .contains("arn:aws:iam::" + ACCOUNT + ":role/old-batch");
    }

    @Test
    void theWindowOfDaysEndsAtTheNewestEvent() {
        List<JsonNode> records = new ArrayList<>(trail());
        // Any event moves the end: 29 days later the window starts at 2024-04-30T00:00Z.
        records.add(record("DescribeRepositories").time(TIME.plus(Duration.ofDays(29))).toNode());
        ObservedPullers observed = observe(30, records);
        assertThat(observed.windowEnd()).isEqualTo(TIME.plus(Duration.ofDays(29)));
        assertThat(observed.windowStart()).isEqualTo(Instant.parse("2024-04-30T00:00:00Z"));
        assertThat(observed.pullers())
                .extracting(Puller::arn, Puller::pulls)
                .containsExactly(
                        tuple(ECS_ROLE, 1L),
                        tuple("arn:aws:iam::" + ACCOUNT + ":user/bob", 1L),
                        tuple("service:ecs.amazonaws.com", 1L));
    }

    @Test
    void rolesJoinUsersOnlyWhenAskedRootNever() {
        List<Puller> pullers = observe(30, trail()).pullers();
        List<String> allowed = List.of("arn:aws:iam::*:role/ci-*");
        List<Judged> judged = ObservedPullers.judge(pullers, allowed, false);
        assertThat(judged)
                .extracting(j -> j.puller().arn(), Judged::verdict)
                .containsExactly(
                        tuple("arn:aws:iam::" + ACCOUNT + ":role/ci-build", Verdict.ALLOWED),
                        tuple(ECS_ROLE, Verdict.ADDED),
                        tuple("arn:aws:iam::" + ACCOUNT + ":root", Verdict.DENIED),
                        tuple("arn:aws:iam::" + ACCOUNT + ":user/bob", Verdict.DENIED),
                        tuple("service:ecs.amazonaws.com", Verdict.NOT_SUBJECT));
        assertThat(judged.get(0).why()).isEqualTo("matches arn:aws:iam::*:role/ci-*");
        assertThat(judged.get(1).why()).isEqualTo("pulled in the window");
        // A role of another account pulling from this one joins too, flagged: the SCP binds it only
        // in the organization.
        List<JsonNode> withForeign = new ArrayList<>(trail());
        withForeign.add(pull(record("BatchGetImage").crossAccount(FOREIGN_ACCOUNT), 1).toNode());
        Judged foreign =
                ObservedPullers.judge(observe(30, withForeign).pullers(), allowed, false).stream()
                        .filter(
                                j ->
                                        j.puller()
                                                .arn()
                                                .equals(
                                                        "arn:aws:iam::"
                                                                + FOREIGN_ACCOUNT
                                                                + ":role/Operator"))
                        .findFirst()
                        .orElseThrow();
        assertThat(foreign.verdict()).isEqualTo(Verdict.ADDED);
        assertThat(foreign.why()).contains("also from other accounts' registries");
        // A recorded role ARN with a wildcard (a path may hold one, or a forged record) must not
        // widen the SCP.
        ObjectNode forged =
                pull(record("BatchGetImage").assumedRole(ACCOUNT, "x", "s"), 1).toNode();
        ((ObjectNode) forged.at("/userIdentity/sessionContext/sessionIssuer"))
                .put("arn", "arn:aws:iam::" + ACCOUNT + ":role/*");
        Judged wildcard =
                ObservedPullers.judge(observe(30, List.of(forged)).pullers(), allowed, true).get(0);
        assertThat(wildcard.verdict()).isEqualTo(Verdict.DENIED);
        assertThat(wildcard.why()).contains("holds * or ?");
        assertThat(ObservedPullers.judge(pullers, allowed, true))
                .filteredOn(j -> j.puller().kind() == ObservedPullers.Kind.USER)
                .extracting(Judged::verdict)
                .containsExactly(Verdict.ADDED);
    }

    @Test
    void arnLikeMatchesEachArnPartOnItsOwn() {
        assertThat(
                        PrincipalPatterns.arnLike(
                                "arn:aws:iam::*:role/ci-*", "arn:aws:iam::111122223333:role/ci-x"))
                .isTrue();
        assertThat(
                        PrincipalPatterns.arnLike(
                                "arn:aws:iam::*:role/ci-*",
                                "arn:aws:iam::111122223333:role/team/ci-x"))
                .isFalse();
        assertThat(PrincipalPatterns.arnLike("arn:aws:iam::*:role/*/ci-?", ECS_ROLE)).isFalse();
        assertThat(
                        PrincipalPatterns.arnLike(
                                "arn:aws:iam::1111*", "arn:aws:iam::111122223333:role/x"))
                .as("* does not reach over a colon")
                .isFalse();
        assertThat(PrincipalPatterns.arnLike("arn:aws:iam::*:role/*", "service:ecs.amazonaws.com"))
                .isFalse();
    }

    @Test
    void theCommandAddsThePullersToTheScpListingWhomItWouldDeny(@TempDir Path dir)
            throws Exception {
        Path trail = gzipLogFile(Files.createDirectories(dir.resolve("trail")), trail());
        Path out = dir.resolve("out");
        Run r =
                PoliciesCommandTest.run(
                        "--rules",
                        rules(dir).toString(),
                        "--out",
                        out.toString(),
                        "--pullers",
                        trail.getParent().toString());
        assertThat(r.error()).isNull();
        assertThat(r.code()).isZero();
        JsonNode scp =
                IamPolicyChecks.valid(
                        Files.readString(out.resolve(PreventivePolicies.SCP)),
                        Kind.SERVICE_CONTROL);
        List<String> allowed =
                PreventivePoliciesTest.strings(
                        scp.at("/Statement/0/Condition/ArnNotLike/aws:PrincipalArn"));
        assertThat(allowed)
                .contains(ECS_ROLE)
                .doesNotContain(
                        "arn:aws:iam::" + ACCOUNT + ":role/ci-build",
                        "arn:aws:iam::" + ACCOUNT + ":user/bob",
                        "arn:aws:iam::" + ACCOUNT + ":root",
                        "arn:aws:iam::" + ACCOUNT + ":role/old-batch");
        assertThat(allowed.get(allowed.size() - 1)).isEqualTo(ECS_ROLE);
        assertThat(scp.at("/Statement/0/Condition/BoolIfExists/aws:ViaAWSService").asText())
                .isEqualTo("false");

        assertThat(r.out())
                .contains(
                        "(30 days to the newest event; 1 file(s), 11 event(s), 0 dead-lettered): 5")
                .contains("  added        " + ECS_ROLE + "  (AssumedRole, 2 pulls)")
                .contains("the SCP would deny 2 of them:")
                .contains(
                        "  denied       arn:aws:iam::"
                                + ACCOUNT
                                + ":user/bob  (IAMUser, 3 pulls) IAM user")
                .contains(
                        "  denied       arn:aws:iam::"
                                + ACCOUNT
                                + ":root  (Root, 1 pulls) root user");
        assertThat(r.err()).doesNotContain("run with --pullers");

        JsonNode report = Json.tree(Files.readString(out.resolve(ObservedPullers.FILE)));
        assertThat(report.at("/window/from").asText()).isEqualTo("2024-04-01T00:00:00Z");
        assertThat(report.at("/input/events").asInt()).isEqualTo(11);
        JsonNode bob =
                Json.elements(report.get("pullers")).stream()
                        .filter(p -> p.get("principal").asText().endsWith(":user/bob"))
                        .findFirst()
                        .orElseThrow();
        assertThat(bob.get("pulls").asInt()).isEqualTo(3);
        assertThat(bob.get("scp").asText()).isEqualTo("denied");
    }

    @Test
    void badInputIsACountedDeadLetterThatCannotMoveTheWindow(@TempDir Path dir) throws Exception {
        Path trail = Files.createDirectories(dir.resolve("trail"));
        List<JsonNode> records = new ArrayList<>(trail());
        // Stamped 12:05 in its file name: a record a month later is implausible, as in a replay.
        records.add(record("DescribeRepositories").time(TIME.plus(Duration.ofDays(31))).toNode());
        gzipLogFile(trail, records);
        Files.writeString(trail.resolve("notes.json"), "{\"Records\": [ not json");
        Run r =
                PoliciesCommandTest.run(
                        "--rules",
                        rules(dir).toString(),
                        "--out",
                        dir.resolve("out").toString(),
                        "--pullers",
                        trail.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains(
                        "pullers from 2024-04-01T00:00:00Z to 2024-05-01T12:00:00Z (30 days to the "
                                + "newest event; 2 file(s), 11 event(s), 2 dead-lettered): 5");
        assertThat(r.err())
                .contains("warning: --pullers: dead letter: " + trail.resolve("notes.json") + ": ")
                .contains("implausible eventTime 2024-06-01T12:00:00Z");
    }

    @Test
    void aRecordedUserPullIsReportedAsDenied(@TempDir Path dir) throws Exception {
        // AWS's documented image-pull record: an IAM user (its ARN recorded under sts) pulling
        // testrepo.
        Path sample =
                Paths.get("src/test/resources/samples/aws-docs/cloudtrail-image-pull-action.json");
        Path out = dir.resolve("out");
        Run r =
                PoliciesCommandTest.run(
                        "--rules",
                        rules(dir).toString(),
                        "--out",
                        out.toString(),
                        "--pullers",
                        sample.toString(),
                        "--pullers-days",
                        "7");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains("pullers from 2019-04-08T00:00:00Z to 2019-04-15T17:23:20Z (7 days")
                .contains("the SCP would deny 1 of them:")
                .contains(
                        "denied       arn:aws:iam::123456789012:user/Mary_Major  (IAMUser, 1 pulls)");
        Run users =
                PoliciesCommandTest.run(
                        "--rules",
                        rules(dir).toString(),
                        "--out",
                        out.toString(),
                        "--pullers",
                        sample.toString(),
                        "--pullers-users");
        assertThat(users.out())
                .contains("added        arn:aws:iam::123456789012:user/Mary_Major")
                .contains("deny 0 of them");
        assertThat(Files.readString(out.resolve(PreventivePolicies.SCP)))
                .contains("\"arn:aws:iam::123456789012:user/Mary_Major\"");
    }

    @Test
    void aTrailWithoutPullsIsAnErrorWritingNothing(@TempDir Path dir) throws Exception {
        Path trail =
                gzipLogFile(
                        dir,
                        List.of(
                                record("DescribeImages").toNode(),
                                record("BatchGetImage")
                                        .errorCode("AccessDeniedException")
                                        .toNode()));
        Path out = dir.resolve("out");
        Run r =
                PoliciesCommandTest.run(
                        "--rules",
                        rules(dir).toString(),
                        "--out",
                        out.toString(),
                        "--pullers",
                        trail.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.error())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "--pullers: no successful "
                                + "ecr:BatchGetImage or ecr:GetDownloadUrlForLayer from 2024-04-01T00:00:00Z to 2024-05-01T12:00:00Z in 2 event(s)");
        assertThat(out).doesNotExist();
        Path empty = Files.writeString(dir.resolve("empty.json"), "{\"Records\":[]}");
        assertThat(
                        PoliciesCommandTest.run(
                                        "--rules",
                                        rules(dir).toString(),
                                        "--out",
                                        out.toString(),
                                        "--pullers",
                                        empty.toString())
                                .error())
                .hasMessage(
                        "--pullers: no events in 1 file(s) (0 dead-lettered): nothing to "
                                + "learn the pullers from");
    }

    @Test
    void tooManyPullersForTheScpIsAnErrorSuggestingWildcards(@TempDir Path dir) throws Exception {
        List<JsonNode> records = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            records.add(
                    pull(
                                    record("BatchGetImage")
                                            .assumedRole(
                                                    ACCOUNT, "karpenter-node-role-" + i, "i-0"),
                                    1)
                            .toNode());
        }
        Path out = dir.resolve("out");
        Run r =
                PoliciesCommandTest.run(
                        "--rules",
                        rules(dir).toString(),
                        "--out",
                        out.toString(),
                        "--pullers",
                        gzipLogFile(dir, records).toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.error().getMessage())
                .startsWith("--pullers: scp-ecr-layer-download.json would be ")
                .contains(
                        "with 120 observed puller(s), over its limit of 5120; allow them with wildcard patterns in "
                                + dir.resolve("mine.yaml")
                                + " allowlist.principals")
                .endsWith("or use fewer --pullers-days");
        assertThat(out).doesNotExist();
    }

    @Test
    void pullerFlagsNeedPullers(@TempDir Path dir) throws Exception {
        Run r =
                PoliciesCommandTest.run(
                        "--rules",
                        rules(dir).toString(),
                        "--out",
                        dir.toString(),
                        "--pullers-days",
                        "7");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--pullers-days and --pullers-users need --pullers");
        Run zero =
                PoliciesCommandTest.run(
                        "--rules",
                        rules(dir).toString(),
                        "--out",
                        dir.toString(),
                        "--pullers",
                        "x.json",
                        "--pullers-days",
                        "0");
        assertThat(zero.err()).contains("--pullers-days must be 1 to 3660");
    }
}
