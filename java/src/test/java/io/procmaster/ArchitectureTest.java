package io.procmaster;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Optional;
import java.util.Set;

/**
 * The layering of docs/DESIGN.md §2, checked on the main classes (tests and benchmarks are left
 * out; the cli module checks its own rule in CliArchitectureTest): imports flow one way, facade {@code io.procmaster} → {@code loop} →
 * {@code policy} / {@code config} / {@code helper} → {@code os} / {@code time}, with {@code child}
 * (the runtime of daemons written in Java) over {@code os}, and {@code time} (the clock) the floor
 * that {@code os} may use too (its loop thread reads the clock), and {@code log} (the one way to a
 * logger) under everything.
 *
 * <p>Rules: no cycle between the top-level packages (the facade is a slice of its own); each layer
 * uses only the layers below it that the map names; only {@code os.jni.Native} declares native methods;
 * the policy uses neither {@code os}, {@code loop} nor {@code helper}; the facade's public signatures
 * name no internal type; every class is in one of the known packages, so a new package cannot slip
 * past the layering unchecked.
 *
 * <p>Failure modes: a rule that fails lists every offending dependency, with class and line.
 */
@AnalyzeClasses(packages = "io.procmaster", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** The packages a user of the library names: the facade, the service model, the master's reports, the helper API, the clock. */
    private static final String[] PUBLIC_API = {
        "io.procmaster", "io.procmaster.config", "io.procmaster.status", "io.procmaster.helper", "io.procmaster.metrics",
        "io.procmaster.time", "io.procmaster.os", "io.procmaster.child", "io.procmaster.helper.squid"
    };

    private static final String[] LAYERS = {
        "io.procmaster", "io.procmaster.loop..", "io.procmaster.policy..",
        "io.procmaster.config..", "io.procmaster.helper..", "io.procmaster.child..", "io.procmaster.os..",
        "io.procmaster.status..", "io.procmaster.metrics..", "io.procmaster.time..", "io.procmaster.log.."
    };

    /** One slice per top-level package; the classes of {@code io.procmaster} itself are the slice "facade". */
    private static final SliceAssignment TOP_LEVEL_PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String pkg = javaClass.getPackageName();
            if (pkg.equals("io.procmaster")) {
                return SliceIdentifier.of("facade");
            }
            if (!pkg.startsWith("io.procmaster.")) {
                return SliceIdentifier.ignore();
            }
            String rest = pkg.substring("io.procmaster.".length());
            int dot = rest.indexOf('.');
            return SliceIdentifier.of(dot < 0 ? rest : rest.substring(0, dot));
        }

        @Override
        public String getDescription() {
            return "the top-level packages of io.procmaster, the facade included";
        }
    };

    @ArchTest
    static final ArchRule noCyclesBetweenTopLevelPackages = slices().assignedFrom(TOP_LEVEL_PACKAGES)
            .should().beFreeOfCycles()
            .because("imports flow one way (docs/DESIGN.md §2)");

    @ArchTest
    static final ArchRule layersUseOnlyTheLayersBelow = layeredArchitecture()
            .consideringOnlyDependenciesInAnyPackage("io.procmaster..")
            .layer("facade").definedBy("io.procmaster")
            .layer("loop").definedBy("io.procmaster.loop..")
            .layer("policy").definedBy("io.procmaster.policy..")
            .layer("config").definedBy("io.procmaster.config..")
            .layer("helper").definedBy("io.procmaster.helper..")
            .layer("child").definedBy("io.procmaster.child..")
            .layer("os").definedBy("io.procmaster.os..")
            .layer("status").definedBy("io.procmaster.status..")
            .layer("metrics").definedBy("io.procmaster.metrics..")
            .layer("time").definedBy("io.procmaster.time..")
            .layer("log").definedBy("io.procmaster.log..")
            // log (Logs.logger: slf4j, or stderr without a provider) is the floor every layer may use.
            // The facade drives the loop and hands out the reports the policy takes (status).
            .whereLayer("facade").mayOnlyAccessLayers("loop", "config", "status", "metrics", "time", "log")
            .whereLayer("loop").mayOnlyAccessLayers("policy", "config", "status", "helper", "os", "time", "log")
            // The policy decides on the service model alone; it never touches the mechanism.
            .whereLayer("policy").mayOnlyAccessLayers("config", "status", "time", "log")
            .whereLayer("config").mayOnlyAccessLayers("time", "log")
            // helper registers its pools' MXBeans (metrics: the interfaces, the cache, the JMX names).
            .whereLayer("helper").mayOnlyAccessLayers("os", "metrics", "time", "log")
            .whereLayer("child").mayOnlyAccessLayers("os", "log")
            // The loop thread (os.EventLoop) reads the clock; time is the floor and uses nothing.
            .whereLayer("os").mayOnlyAccessLayers("time", "log")
            .whereLayer("status").mayNotAccessAnyLayer()
            // metrics reads the master's reports (status) and nothing else of ours (docs/metrics.md).
            .whereLayer("metrics").mayOnlyAccessLayers("status", "log")
            .whereLayer("time").mayOnlyAccessLayers("log")
            .whereLayer("log").mayNotAccessAnyLayer()
            .because("the layering of docs/DESIGN.md §2");

    @ArchTest
    static final ArchRule everyClassIsInALayer = classes().should().resideInAnyPackage(LAYERS)
            .because("a package outside the layers would escape the layering rule (docs/DESIGN.md §2)");

    @ArchTest
    static final ArchRule onlyOsNativeDeclaresNativeMethods = methods().that().haveModifier(JavaModifier.NATIVE)
            .should().beDeclaredIn("io.procmaster.os.jni.Native")
            .because("the JNI boundary is one class in io.procmaster.os (docs/DESIGN.md §3)");

    @ArchTest
    static final ArchRule policyUsesNoMechanism = noClasses().that().resideInAPackage("io.procmaster.policy..")
            .should().dependOnClassesThat()
            .resideInAnyPackage("io.procmaster.os..", "io.procmaster.loop..", "io.procmaster.helper..")
            .because("the policy decides and the loop carries out; the policy is tested without a process");

    @ArchTest
    static final ArchRule apiExposesNoInternalType = classes().that().resideInAnyPackage(PUBLIC_API)
            .should(exposeOnlyPublicApiTypes())
            .because("module-info exports these packages only (docs/DESIGN.md §6): a public signature that"
                    + " names a type of another package cannot be used from the module path");

    /** A type of io.procmaster that is not in one of the public API packages. */
    private static final DescribedPredicate<JavaClass> INTERNAL =
            resideInAPackage("io.procmaster..").and(DescribedPredicate.not(resideInAnyPackage(PUBLIC_API)))
                    .as("an internal type (outside " + String.join(", ", PUBLIC_API) + ")");

    /**
     * For a class that callers can see (public, and every enclosing class public): its public and
     * protected fields, constructors and methods (return, parameter and thrown types, generic type
     * arguments included), its superclass and its interfaces name no {@link #INTERNAL} type.
     */
    private static ArchCondition<JavaClass> exposeOnlyPublicApiTypes() {
        return new ArchCondition<>("expose no internal type in a public signature") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                if (!visibleToCallers(c)) {
                    return;
                }
                c.getSuperclass().ifPresent(t -> report(c, "the superclass", t, events));
                for (JavaType t : c.getInterfaces()) {
                    report(c, "an interface", t, events);
                }
                for (JavaField f : c.getFields()) {
                    if (exposed(f.getModifiers())) {
                        report(c, "field " + f.getName(), f.getType(), events);
                    }
                }
                for (JavaCodeUnit u : c.getCodeUnits()) {
                    if (!exposed(u.getModifiers())) {
                        continue;
                    }
                    String where = u.getFullName();
                    report(c, where + " returns", u.getReturnType(), events);
                    for (JavaType p : u.getParameterTypes()) {
                        report(c, where + " takes", p, events);
                    }
                    for (JavaClass thrown : u.getThrowsClause().getTypes()) {
                        report(c, where + " throws", thrown, events);
                    }
                }
            }
        };
    }

    private static boolean visibleToCallers(JavaClass c) {
        for (Optional<JavaClass> k = Optional.of(c); k.isPresent(); k = k.get().getEnclosingClass()) {
            if (!k.get().getModifiers().contains(JavaModifier.PUBLIC)) {
                return false;
            }
        }
        return true;
    }

    private static boolean exposed(Set<JavaModifier> modifiers) {
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }

    private static void report(JavaClass owner, String where, JavaType type, ConditionEvents events) {
        for (JavaClass raw : type.getAllInvolvedRawTypes()) {
            if (INTERNAL.test(raw)) {
                events.add(SimpleConditionEvent.violated(owner,
                        owner.getName() + ": " + where + " " + raw.getName() + ", " + INTERNAL.getDescription()));
            }
        }
    }
}
