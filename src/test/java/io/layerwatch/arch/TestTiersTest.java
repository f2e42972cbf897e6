package io.layerwatch.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.layerwatch.replay.Replay;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.FakeS3;
import io.layerwatch.testing.KinesisEmulator;
import io.layerwatch.testing.MiniClusters;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The unit tier (surefire, *Test) is Java only: no MiniCluster or job run, no HTTP (WireMock), no
 * emulator, no other program, neither directly nor through a test helper that uses them (a
 * MiniCluster factory, a pipeline runner). Those belong to integration tests (failsafe, *IT). A
 * static check: a job run through the CLI (`replay`, `demo`, `bench` in a *Test) is not seen here.
 */
class TestTiersTest {

    static final JavaClasses TESTS =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
                    .importPackages("io.layerwatch");

    static final DescribedPredicate<JavaClass> INTEGRATION_COMPONENTS =
            JavaClass.Predicates.resideInAnyPackage(
                            "com.github.tomakehurst.wiremock..",
                            "org.wiremock..",
                            "org.apache.flink.runtime.minicluster..",
                            "org.apache.flink.test.junit5..")
                    .or(
                            JavaClass.Predicates.belongToAnyOf(
                                    FakeAws.class,
                                    FakeS3.class,
                                    KinesisEmulator.class,
                                    ProcessBuilder.class));

    static final DescribedPredicate<JavaMethodCall> RUNS_A_JOB =
            DescribedPredicate.describe(
                    "run a Flink job (StreamExecutionEnvironment.execute*, DataStream.executeAndCollect, Replay.run)",
                    call -> {
                        JavaClass owner = call.getTargetOwner();
                        return owner.isAssignableTo(StreamExecutionEnvironment.class)
                                        && call.getName().startsWith("execute")
                                || owner.isAssignableTo(DataStream.class)
                                        && call.getName().equals("executeAndCollect")
                                || owner.isEquivalentTo(Replay.class)
                                        && call.getName().equals("run");
                    });

    /** Whether a class is a test class by name (a tier) rather than a helper. */
    static boolean namedAsTest(JavaClass c) {
        JavaClass top = c;
        while (top.getEnclosingClass().isPresent()) {
            top = top.getEnclosingClass().get();
        }
        String name = top.getSimpleName();
        return name.endsWith("Test") || name.endsWith("IT") || name.endsWith("Bench");
    }

    /**
     * The methods of test helpers (classes named neither *Test nor *IT) that use an integration
     * component or run a job, directly or through another such method: what a unit test may not
     * call either. A helper's other methods (plain fixtures) stay usable by unit tests.
     */
    static Set<String> integrationHelpers() {
        Set<String> helpers = new TreeSet<>();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (JavaClass c : TESTS) {
                if (namedAsTest(c)) {
                    continue;
                }
                for (JavaCodeUnit u : c.getCodeUnits()) {
                    if (!helpers.contains(u.getFullName()) && integration(u, helpers)) {
                        helpers.add(u.getFullName());
                        grew = true;
                    }
                }
            }
        }
        return helpers;
    }

    private static boolean integration(JavaCodeUnit u, Set<String> helpers) {
        return u.getMethodCallsFromSelf().stream().anyMatch(RUNS_A_JOB)
                || u.getAccessesFromSelf().stream()
                        .anyMatch(
                                a ->
                                        INTEGRATION_COMPONENTS.test(a.getTargetOwner())
                                                || helpers.contains(a.getTarget().getFullName()));
    }

    /**
     * Classes named like the tier (nested classes included) that use an integration component or
     * helper.
     */
    static EvaluationResult integrationUses(String suffix) {
        Set<String> helpers = integrationHelpers();
        DescribedPredicate<JavaCall<?>> callsHelper =
                DescribedPredicate.describe(
                        "call a test helper that uses them",
                        call -> helpers.contains(call.getTarget().getFullName()));
        ArchRule rule =
                noClasses()
                        .that()
                        .haveNameMatching(".*" + suffix + "(\\$.*)?")
                        .and()
                        .doNotBelongToAnyOf(
                                TestTiersTest.class) // names the components it looks for
                        .should()
                        .dependOnClassesThat(INTEGRATION_COMPONENTS)
                        .orShould()
                        .callMethodWhere(RUNS_A_JOB)
                        .orShould()
                        .callCodeUnitWhere(callsHelper);
        return rule.evaluate(TESTS);
    }

    @Test
    void unitTestsUseNoMiniClusterHttpEmulatorOrProgram() {
        EvaluationResult unit = integrationUses("Test");
        assertThat(unit.getFailureReport().getDetails())
                .as("rename to *IT (failsafe) or drop the dependency")
                .isEmpty();
        // The same check finds the integration tests' uses: it is not vacuous.
        assertThat(integrationUses("IT").getFailureReport().getDetails())
                .anyMatch(d -> d.contains("FakeAws"))
                .anyMatch(d -> d.contains("MiniClusterExtension"))
                .anyMatch(d -> d.contains("KinesisEmulator"))
                .anyMatch(d -> d.contains("Replay.run"))
                .anyMatch(d -> d.contains("ProcessBuilder"))
                .anyMatch(d -> d.contains("executeAndCollect"))
                .anyMatch(d -> d.contains("MiniClusters.withSlots"))
                .anyMatch(d -> d.contains("PipelineHarness.run"));
    }

    @Test
    void helpersThatStartAClusterOrRunAJobCountAsIntegration() {
        assertThat(integrationHelpers())
                .anyMatch(m -> m.startsWith(MiniClusters.class.getName() + ".withSlots("))
                .anyMatch(m -> m.startsWith("io.layerwatch.pipeline.PipelineHarness.run("))
                .noneMatch(m -> m.startsWith(CloudTrailRecords.class.getName() + "."));
    }
}
