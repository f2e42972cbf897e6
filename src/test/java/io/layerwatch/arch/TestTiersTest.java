package io.layerwatch.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.layerwatch.replay.Replay;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.FakeS3;
import io.layerwatch.testing.KinesisEmulator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The unit tier (surefire, *Test) is Java only: no MiniCluster or job run, no HTTP (WireMock), no emulator, no
 * other program. Those belong to integration tests (failsafe, *IT). A static check: a job run through the CLI
 * (`replay`, `demo`, `bench` in a *Test) is not seen here.
 */
class TestTiersTest {

    static final JavaClasses TESTS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS).importPackages("io.layerwatch");

    static final DescribedPredicate<JavaClass> INTEGRATION_COMPONENTS = JavaClass.Predicates
            .resideInAnyPackage("com.github.tomakehurst.wiremock..", "org.wiremock..",
                    "org.apache.flink.runtime.minicluster..", "org.apache.flink.test.junit5..")
            .or(JavaClass.Predicates.belongToAnyOf(FakeAws.class, FakeS3.class, KinesisEmulator.class,
                    ProcessBuilder.class));

    static final DescribedPredicate<JavaMethodCall> RUNS_A_JOB = DescribedPredicate.describe(
            "run a Flink job (StreamExecutionEnvironment.execute*, Replay.run)", call -> {
                JavaClass owner = call.getTargetOwner();
                return owner.isAssignableTo(StreamExecutionEnvironment.class) && call.getName().startsWith("execute")
                        || owner.isEquivalentTo(Replay.class) && call.getName().equals("run");
            });

    /** Classes named like the tier (nested classes included) that use an integration component. */
    static EvaluationResult integrationUses(String suffix) {
        ArchRule rule = noClasses().that().haveNameMatching(".*" + suffix + "(\\$.*)?")
                .and().doNotBelongToAnyOf(TestTiersTest.class) // names the components it looks for
                .should().dependOnClassesThat(INTEGRATION_COMPONENTS).orShould().callMethodWhere(RUNS_A_JOB);
        return rule.evaluate(TESTS);
    }

    @Test
    void unitTestsUseNoMiniClusterHttpEmulatorOrProgram() {
        EvaluationResult unit = integrationUses("Test");
        assertThat(unit.getFailureReport().getDetails()).as("rename to *IT (failsafe) or drop the dependency").isEmpty();
        // The same check finds the integration tests' uses: it is not vacuous.
        assertThat(integrationUses("IT").getFailureReport().getDetails()).anyMatch(d -> d.contains("FakeAws"))
                .anyMatch(d -> d.contains("MiniClusterExtension")).anyMatch(d -> d.contains("KinesisEmulator"))
                .anyMatch(d -> d.contains("Replay.run")).anyMatch(d -> d.contains("ProcessBuilder"));
    }
}
