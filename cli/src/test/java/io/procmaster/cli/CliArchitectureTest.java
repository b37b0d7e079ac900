package io.procmaster.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The command line's place in the layering of docs/DESIGN.md §2: it runs the facade, reads the
 * files with the config parsers alone ({@code check}), prints the status reports, checks the
 * control socket's file with {@code os.FileNodes}, and reads the clock. It never reaches the
 * master's mechanism, its policy, the helper pools or the JNI boundary: the module system forbids
 * it on the module path (those packages are not exported); this rule forbids it on the class path.
 *
 * <p>Failure modes: the rule lists every offending dependency, with class and line.
 */
@AnalyzeClasses(packages = "io.procmaster.cli", importOptions = ImportOption.DoNotIncludeTests.class)
class CliArchitectureTest {

    @ArchTest
    static final ArchRule cliUsesOnlyTheApi = noClasses().that().resideInAPackage("io.procmaster.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("io.procmaster.loop..", "io.procmaster.policy..",
                    "io.procmaster.helper..", "io.procmaster.os.jni..", "io.procmaster.child..")
            .because("the cli module uses the library's exported API only (docs/DESIGN.md §2)");
}
