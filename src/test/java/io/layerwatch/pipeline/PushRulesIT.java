package io.layerwatch.pipeline;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.FOREIGN_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.TIME;
import static io.layerwatch.testing.CloudTrailRecords.object;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.MiniClusters;
import io.layerwatch.testing.OncePerKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The push rules end to end, in place (parallelism 1) and keyed over the network (parallelism 2);
 * the tests of one input share its job run per parallelism.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PushRulesIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

    static List<Finding> run(
            RulesConfig config,
            String ruleId,
            int parallelism,
            List<CloudTrailRecords.Builder> records)
            throws Exception {
        byte[] bytes =
                String.join("\n", records.stream().map(CloudTrailRecords.Builder::json).toList())
                        .getBytes(StandardCharsets.UTF_8);
        return PipelineHarness.run(List.of(Payload.ofBytes("test", bytes)), config, parallelism)
                .of(ruleId)
                .stream()
                .sorted(Comparator.comparing(Finding::firstEventTime))
                .toList();
    }

    static Instant at(int minutes) {
        return TIME.plus(Duration.ofMinutes(minutes));
    }

    /** A successful PutImage of {@code tag} (digest {@code digest}) to repository payments. */
    static CloudTrailRecords.Builder push(int minute, String ip, String tag, String digest) {
        return record("PutImage")
                .time(at(minute))
                .sourceIp(ip)
                .repositoryName("payments")
                .param("imageTag", tag)
                .responseElements(
                        object(
                                "image",
                                object(
                                        "repositoryName",
                                        "payments",
                                        "registryId",
                                        ACCOUNT,
                                        "imageId",
                                        object("imageTag", tag, "imageDigest", digest))));
    }

    static CloudTrailRecords.Builder token(int minute, String user) {
        return record("GetAuthorizationToken")
                .iamUser(ACCOUNT, user)
                .time(at(minute))
                .sourceIp("10.0.0.5");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void unexpectedPushLearnsEachRepositorysPushersThenReportsANewOneOnce(int parallelism)
            throws Exception {
        RulesConfig c =
                RulesConfigLoader.fromYaml(
                        "allowlist:\n  trustedCidrs: [10.0.0.0/8]\n"
                                + "rules:\n  unexpected-image-push: {learningPeriod: 1h}\n",
                        "push.yaml");
        List<CloudTrailRecords.Builder> records =
                List.of(
                        push(0, "10.0.0.1", "v1", "sha256:a1")
                                .assumedRole(ACCOUNT, "ci", "build-1"), // learning starts
                        push(30, "10.0.0.1", "v2", "sha256:a2")
                                .assumedRole(ACCOUNT, "release", "r"), // learned quietly
                        push(90, "10.0.0.1", "v3", "sha256:a3")
                                .assumedRole(ACCOUNT, "ci", "build-2"), // known
                        push(95, "10.0.0.9", "v4", "sha256:a4")
                                .assumedRole(ACCOUNT, "intruder", "x"), // new: MEDIUM
                        push(96, "10.0.0.9", "v5", "sha256:a5")
                                .assumedRole(ACCOUNT, "intruder", "x"), // only once
                        push(97, "10.0.0.9", "v6", "sha256:a6")
                                .assumedRole(ACCOUNT, "other", "y")
                                .errorCode("AccessDenied"));
        assertThat(run(c, RuleCatalog.UNEXPECTED_IMAGE_PUSH, parallelism, records))
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.principal().arn())
                                    .isEqualTo("arn:aws:iam::111122223333:role/intruder");
                            assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
                            assertThat(f.firstEventTime()).isEqualTo(at(95));
                            assertThat(f.details())
                                    .containsEntry("expectedPushers", "learned")
                                    .containsEntry("firstSeen", true)
                                    .containsEntry("imageTag", "v4")
                                    .containsEntry("imageDigest", "sha256:a4")
                                    .doesNotContainKey("reasons");
                        });
    }

    /**
     * Pushes under pushers globs and a principal allowlist: an expected pusher, a pusher with a
     * token, a long-term key without one or with one too old, an untrusted address, another
     * account, an allowlisted user.
     */
    private final OncePerKey<Integer, List<Finding>> pushersRun =
            new OncePerKey<>(
                    parallelism -> {
                        RulesConfig c =
                                RulesConfigLoader.fromYaml(
                                        "allowlist:\n  trustedCidrs: [10.0.0.0/8]\n"
                                                + "rules:\n  unexpected-image-push:\n    pushers: [\"arn:aws:iam::111122223333:role/ci-*\"]\n"
                                                + "    allowlist: {principals: [\"arn:aws:iam::111122223333:user/break-glass\"]}\n",
                                        "pushers.yaml");
                        List<CloudTrailRecords.Builder> records =
                                List.of(
                                        push(0, "10.0.0.1", "v1", "sha256:b1")
                                                .assumedRole(
                                                        ACCOUNT, "ci-build", "gha-1"), // expected
                                        token(0, "deployer"),
                                        push(60, "10.0.0.5", "v2", "sha256:b2")
                                                .iamUser(ACCOUNT, "deployer"), // MEDIUM
                                        push(61, "10.0.0.6", "v3", "sha256:b3")
                                                .iamUser(ACCOUNT, "leaked"), // HIGH: no token
                                        token(62, "stale"),
                                        push(62 + 13 * 60, "10.0.0.7", "v4", "sha256:b4")
                                                .iamUser(ACCOUNT, "stale"), // HIGH: token too old
                                        push(63, "198.51.100.7", "v5", "sha256:b5")
                                                .assumedRole(ACCOUNT, "dev", "d"), // HIGH: network
                                        push(64, "10.0.0.8", "v6", "sha256:b6")
                                                .crossAccount(FOREIGN_ACCOUNT), // HIGH: account
                                        push(65, "10.0.0.9", "v7", "sha256:b7")
                                                .iamUser(ACCOUNT, "break-glass")); // allowlisted
                        return run(c, RuleCatalog.UNEXPECTED_IMAGE_PUSH, parallelism, records);
                    });

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aPushByAPrincipalNoPushersGlobMatchesIsReported(int parallelism) throws Exception {
        List<Finding> found = pushersRun.get(parallelism);
        assertThat(found)
                .extracting(f -> f.principal().name() + " " + f.severity())
                .containsExactly(
                        "deployer MEDIUM",
                        "leaked HIGH",
                        "dev HIGH",
                        "Operator HIGH",
                        "stale HIGH");
        assertThat(found)
                .allSatisfy(
                        f -> assertThat(f.details()).containsEntry("expectedPushers", "pushers"));
        assertThat(found.get(0).description()).contains("matching none of the expected pushers");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void eachHighPushNamesWhatMakesItHigh(int parallelism) throws Exception {
        List<Finding> found = pushersRun.get(parallelism);
        assertThat(found.get(1).details().get("reasons").toString())
                .contains("long-term access key AKIA")
                .contains("did not call GetAuthorizationToken in the 12h before");
        assertThat(found.get(2).details().get("reasons").toString())
                .contains("198.51.100.7 is outside the trusted networks");
        assertThat(found.get(3).details().get("reasons").toString())
                .contains("caller account 999988887777");
    }

    /**
     * Pushes to payments: release tags, latest and a feature tag, each moved to another digest
     * later, a refused overwrite of latest, a denied push.
     */
    private static final List<CloudTrailRecords.Builder> TAG_MOVES =
            List.of(
                    push(0, "10.0.0.1", "v1.2.3", "sha256:c1"),
                    push(1, "10.0.0.1", "v1.2.3", "sha256:c1"), // the same image again: nothing
                    push(2, "10.0.0.1", "latest", "sha256:c1"),
                    push(3, "10.0.0.1", "2.0.1", "sha256:c2"),
                    push(4, "10.0.0.1", "feature-x", "sha256:c3"),
                    push(10, "10.0.0.1", "latest", "sha256:c4"), // latest moves: not a release tag
                    push(11, "10.0.0.1", "feature-x", "sha256:c4"), // nor is this
                    push(20, "198.51.100.7", "v1.2.3", "sha256:e1"), // moved: HIGH
                    push(21, "10.0.0.1", "2.0.1", "sha256:e1"), // moved: HIGH
                    push(30, "10.0.0.1", "latest", "sha256:c5")
                            .errorCode("ImageTagAlreadyExistsException"),
                    push(31, "10.0.0.1", "v9", "sha256:c6").errorCode("AccessDenied"));

    /** {@link #TAG_MOVES} under the built-in protected tags. */
    private final OncePerKey<Integer, List<Finding>> builtInTagsRun =
            new OncePerKey<>(
                    parallelism ->
                            run(
                                    RulesConfigLoader.builtIn(),
                                    RuleCatalog.IMAGE_TAG_OVERWRITE,
                                    parallelism,
                                    TAG_MOVES));

    /** {@link #TAG_MOVES} with every tag protected. */
    private final OncePerKey<Integer, List<Finding>> allTagsRun =
            new OncePerKey<>(
                    parallelism ->
                            run(
                                    RulesConfigLoader.fromYaml(
                                            "rules:\n  image-tag-overwrite: {protectedTags: [\"*\"]}\n",
                                            "all.yaml"),
                                    RuleCatalog.IMAGE_TAG_OVERWRITE,
                                    parallelism,
                                    TAG_MOVES));

    private static String move(Finding f) {
        return f.details().get("imageTag")
                + " "
                + f.details().get("previousDigest")
                + " -> "
                + f.details().get("imageDigest");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aProtectedTagMovedToAnotherDigestIsReportedHigh(int parallelism) throws Exception {
        List<Finding> moved =
                builtInTagsRun.get(parallelism).stream()
                        .filter(f -> !f.details().containsKey("refused"))
                        .toList();
        assertThat(moved)
                .extracting(PushRulesIT::move)
                .containsExactly("v1.2.3 sha256:c1 -> sha256:e1", "2.0.1 sha256:c2 -> sha256:e1");
        assertThat(moved).allSatisfy(f -> assertThat(f.severity()).isEqualTo(Severity.HIGH));
        assertThat(moved.get(0).key()).isEqualTo("111122223333:us-east-1:payments|v1.2.3");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aRefusedOverwriteIsReportedHighWhateverTheTag(int parallelism) throws Exception {
        List<Finding> refused =
                builtInTagsRun.get(parallelism).stream()
                        .filter(f -> f.details().containsKey("refused"))
                        .toList();
        assertThat(refused).extracting(PushRulesIT::move).containsExactly("latest null -> null");
        assertThat(refused).allSatisfy(f -> assertThat(f.severity()).isEqualTo(Severity.HIGH));
        assertThat(refused.get(0).details())
                .containsEntry("refused", "ImageTagAlreadyExistsException");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void withEveryTagProtectedEveryMovedTagIsReported(int parallelism) throws Exception {
        assertThat(allTagsRun.get(parallelism))
                .extracting(f -> (String) f.details().get("imageTag"))
                .containsExactly("latest", "feature-x", "v1.2.3", "2.0.1");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aRefusedOverwriteRepeatingAMoveFoldsIntoItsFinding(int parallelism) throws Exception {
        // The refused overwrite of latest repeats its move (same tag, principal, address, within
        // foldWindow): one finding of two events.
        assertThat(allTagsRun.get(parallelism))
                .extracting(Finding::eventCount)
                .containsExactly(2L, 1L, 1L, 1L);
    }
}
