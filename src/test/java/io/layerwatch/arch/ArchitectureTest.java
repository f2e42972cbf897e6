package io.layerwatch.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering: detection logic knows nothing of AWS clients or sinks; sinks know nothing of rules;
 * the wiring shared by replay and streaming knows neither of them, nor the command line.
 */
@AnalyzeClasses(packages = "io.layerwatch", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule rulesAndPatternsStayPure =
            noClasses()
                    .that()
                    .resideInAnyPackage(
                            "io.layerwatch.rules..",
                            "io.layerwatch.patterns..",
                            "io.layerwatch.event..",
                            "io.layerwatch.config..",
                            "io.layerwatch.finding..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "software.amazon.awssdk..",
                            "com.amazonaws..",
                            "io.layerwatch.sinks..",
                            "io.layerwatch.pipeline..",
                            "io.layerwatch.cli..");

    @ArchTest
    static final ArchRule sinksDoNotKnowRules =
            noClasses()
                    .that()
                    .resideInAPackage("io.layerwatch.sinks..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage("io.layerwatch.rules..", "io.layerwatch.patterns..");

    @ArchTest
    static final ArchRule sharedWiringKnowsNoMode =
            noClasses()
                    .that()
                    .resideInAPackage("io.layerwatch.pipeline..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "io.layerwatch.replay..",
                            "io.layerwatch.streaming..",
                            "io.layerwatch.cli..");

    @ArchTest
    static final ArchRule theEventModelKnowsNoDecoder =
            noClasses()
                    .that()
                    .resideInAPackage("io.layerwatch.event")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("io.layerwatch.event.decode..");
}
