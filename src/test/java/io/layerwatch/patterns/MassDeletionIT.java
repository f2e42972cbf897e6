package io.layerwatch.patterns;

import static io.layerwatch.pipeline.PipelineHarness.run;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.at;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.MiniClusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * mass-deletion through the pipeline: distinct images and repositories per principal, episodes,
 * lifecycle policies.
 */
@SuppressWarnings("unchecked")
class MassDeletionIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

    static final String RULE = RuleCatalog.MASS_DELETION;
    static final RulesConfig DEFAULTS = RulesConfigLoader.builtIn();

    /**
     * BatchDeleteImage by {@code role} of images {@code from} to {@code to} - 1 of {@code repo}, as
     * deleted.
     */
    static String batchDelete(String role, String repo, int minute, int from, int to) {
        List<Map<String, String>> ids = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ids.add(Map.of("imageDigest", "sha256:" + repo + i));
        }
        return record("BatchDeleteImage")
                .assumedRole(ACCOUNT, role, "s")
                .repositoryName(repo)
                .time(at(minute))
                .param("imageIds", ids)
                .responseElements(Map.of("imageIds", ids, "failures", List.of()))
                .json();
    }

    static String deleteRepository(String role, String repo, int minute) {
        return record("DeleteRepository")
                .assumedRole(ACCOUNT, role, "s")
                .repositoryName(repo)
                .time(at(minute))
                .param("force", true)
                .json();
    }

    static String lifecycle(int minute, String countType, int count, String tagStatus) {
        String text =
                "{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":\""
                        + tagStatus
                        + "\",\"countType\":\""
                        + countType
                        + "\","
                        + (countType.equals("sinceImagePushed") ? "\"countUnit\":\"days\"," : "")
                        + "\"countNumber\":"
                        + count
                        + "},\"action\":{\"type\":\"expire\"}}]}";
        return record("PutLifecyclePolicy")
                .assumedRole(ACCOUNT, "intruder", "x")
                .repositoryName("payments")
                .time(at(minute))
                .param("lifecyclePolicyText", text)
                .json();
    }

    static List<Finding> found(RulesConfig c, List<String> records) throws Exception {
        return run(c, RULE, records);
    }

    @Test
    void twentyDistinctImagesWithinTheWindowAreOneFinding() throws Exception {
        // 25 images in 3 calls, one repeated: one episode
        List<String> records =
                List.of(
                        batchDelete("intruder", "payments", 0, 0, 10),
                        batchDelete("intruder", "payments", 5, 5, 15),
                        batchDelete("intruder", "billing", 20, 0, 10));
        assertThat(found(DEFAULTS, records))
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.severity()).isEqualTo(Severity.HIGH);
                            assertThat(f.principal().arn())
                                    .isEqualTo("arn:aws:iam::111122223333:role/intruder");
                            assertThat(f.details())
                                    .containsEntry("distinctImages", 25)
                                    .containsEntry("deletedRepositories", 0);
                            assertThat((List<Object>) f.details().get("repositories"))
                                    .containsExactly("payments", "billing");
                            assertThat(f.eventCount()).isEqualTo(3);
                        });
        // one call deleting 20 images is enough
        assertThat(found(DEFAULTS, List.of(batchDelete("intruder", "payments", 0, 0, 20))))
                .hasSize(1);
    }

    @Test
    void repeatsSpreadsOtherPrincipalsAndFailuresDoNotAddUp() throws Exception {
        // the same 10 images twice
        assertThat(
                        found(
                                DEFAULTS,
                                List.of(
                                        batchDelete("intruder", "payments", 0, 0, 10),
                                        batchDelete("intruder", "payments", 1, 0, 10))))
                .isEmpty();
        // 10 + 10 more than an hour apart
        assertThat(
                        found(
                                DEFAULTS,
                                List.of(
                                        batchDelete("intruder", "payments", 0, 0, 10),
                                        batchDelete("intruder", "payments", 61, 10, 20))))
                .isEmpty();
        // 10 + 10 by two principals
        assertThat(
                        found(
                                DEFAULTS,
                                List.of(
                                        batchDelete("intruder", "payments", 0, 0, 10),
                                        batchDelete("cleanup", "payments", 1, 10, 20))))
                .isEmpty();
        // a denied call deletes nothing
        String denied =
                record("BatchDeleteImage")
                        .assumedRole(ACCOUNT, "intruder", "s")
                        .repositoryName("payments")
                        .time(at(2))
                        .param("imageIds", List.of(Map.of("imageDigest", "sha256:x")))
                        .error("AccessDenied", "no")
                        .json();
        List<String> records =
                new ArrayList<>(List.of(batchDelete("intruder", "payments", 0, 0, 19)));
        records.add(denied);
        assertThat(found(DEFAULTS, records)).isEmpty();
        // only the images the response says were deleted count
        String partly =
                record("BatchDeleteImage")
                        .assumedRole(ACCOUNT, "intruder", "s")
                        .repositoryName("payments")
                        .time(at(3))
                        .param(
                                "imageIds",
                                List.of(
                                        Map.of("imageDigest", "sha256:a"),
                                        Map.of("imageDigest", "sha256:b")))
                        .responseElements(
                                Map.of(
                                        "imageIds",
                                        List.of(Map.of("imageDigest", "sha256:a")),
                                        "failures",
                                        List.of(
                                                Map.of(
                                                        "imageId",
                                                        Map.of("imageDigest", "sha256:b"),
                                                        "failureCode",
                                                        "ImageNotFound"))))
                        .json();
        records.set(1, partly);
        assertThat(found(DEFAULTS, records))
                .singleElement()
                .satisfies(f -> assertThat(f.details()).containsEntry("distinctImages", 20));
    }

    @Test
    void threeRepositoriesDeletedWithinTheWindow() throws Exception {
        List<String> three =
                List.of(
                        deleteRepository("intruder", "a", 0),
                        deleteRepository("intruder", "b", 10),
                        deleteRepository("intruder", "c", 50));
        assertThat(found(DEFAULTS, three))
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.details()).containsEntry("deletedRepositories", 3);
                            assertThat((List<Object>) f.details().get("repositoriesDeleted"))
                                    .containsExactly(
                                            "111122223333:us-east-1:a",
                                            "111122223333:us-east-1:b",
                                            "111122223333:us-east-1:c");
                        });
        assertThat(found(DEFAULTS, three.subList(0, 2))).isEmpty();
        RulesConfig two =
                RulesConfigLoader.fromYaml(
                        "rules:\n  mass-deletion: {minRepositories: 2}\n", "two.yaml");
        assertThat(found(two, three.subList(0, 2))).hasSize(1);
    }

    @Test
    void anEpisodeKeepsOneFindingUntilAQuietGap() throws Exception {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 6; i++) { // 60 images, 10 every 5 minutes: bursts at 20, 40 and 60
            records.add(batchDelete("intruder", "payments", i * 5, i * 10, i * 10 + 10));
        }
        List<Finding> episode = found(DEFAULTS, records);
        assertThat(episode)
                .as("one id, its last version")
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.details()).containsEntry("distinctImages", 60);
                            assertThat(f.eventCount()).isEqualTo(6);
                        });
        records.add(batchDelete("intruder", "payments", 200, 100, 120));
        assertThat(found(DEFAULTS, records)).hasSize(2);
    }

    @Test
    void aLifecyclePolicyExpiringNearlyEveryImageFiresAtOnce() throws Exception {
        assertThat(found(DEFAULTS, List.of(lifecycle(0, "imageCountMoreThan", 1, "any"))))
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.severity()).isEqualTo(Severity.HIGH);
                            assertThat(f.repository().name()).isEqualTo("payments");
                            assertThat(f.title())
                                    .isEqualTo(
                                            "Lifecycle policy on payments expires nearly every image");
                        });
        assertThat(found(DEFAULTS, List.of(lifecycle(0, "sinceImagePushed", 1, "any")))).hasSize(1);
        // keeping the last 50, old images only, or untagged images only: a normal cleanup
        assertThat(found(DEFAULTS, List.of(lifecycle(0, "imageCountMoreThan", 50, "any"))))
                .isEmpty();
        assertThat(found(DEFAULTS, List.of(lifecycle(0, "sinceImagePushed", 14, "any")))).isEmpty();
        assertThat(found(DEFAULTS, List.of(lifecycle(0, "sinceImagePushed", 1, "untagged"))))
                .isEmpty();
        String notJson =
                CloudTrailRecords.record("PutLifecyclePolicy")
                        .repositoryName("payments")
                        .time(at(0))
                        .param("lifecyclePolicyText", "not json")
                        .json();
        assertThat(found(DEFAULTS, List.of(notJson))).isEmpty();
    }

    @Test
    void allowlistedCleanupRolesAreLeftOut() throws Exception {
        RulesConfig allow =
                RulesConfigLoader.fromYaml(
                        "rules:\n  mass-deletion:\n"
                                + "    allowlist: {principals: [\"arn:aws:iam::111122223333:role/intruder\"]}\n",
                        "allow.yaml");
        assertThat(found(allow, List.of(batchDelete("intruder", "payments", 0, 0, 30)))).isEmpty();
    }
}
