package dev.openplus.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * Dependencies point one way (DESIGN §2): features → engine ({@code jsonapi}) → {@code db}. Within the project,
 * the engine depends only on itself and {@code db}; {@code db} only on itself and {@code config}; {@code auth}
 * on no feature; features on neither the web layer nor the web framework. A feature is any package that is
 * not one of the shared layers, so a new feature package is covered without being listed here.
 */
@Tag("fast")
class DependencyDirectionTest {
    private static final String ROOT = "dev.openplus";
    private static final String[] LAYERS = {ROOT + ".jsonapi..", ROOT + ".db..", ROOT + ".http..", ROOT + ".auth..",
            ROOT + ".cli..", ROOT + ".openapi..", ROOT + ".config.."};
    private static final DescribedPredicate<JavaClass> PROJECT = resideInAPackage(ROOT + "..");
    /** Classes of a feature package: in the project, below its root, and in none of the shared layers. */
    private static final DescribedPredicate<JavaClass> FEATURE = PROJECT
            .and(DescribedPredicate.not(resideInAnyPackage(LAYERS)))
            .and(DescribedPredicate.not(resideInAPackage(ROOT)))
            .as("a feature package");
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void theEngineDependsOnlyOnItselfAndTheDatabaseLayer() {
        noClasses().that().resideInAPackage(ROOT + ".jsonapi..")
                .should().dependOnClassesThat(PROJECT.and(DescribedPredicate.not(
                        resideInAnyPackage(ROOT + ".jsonapi..", ROOT + ".db.."))).as("outside the engine and db"))
                .orShould().dependOnClassesThat().resideInAPackage("io.javalin..")
                .check(classes);
    }

    @Test
    void theDatabaseLayerImportsNeitherTheEngineNorAFeature() {
        noClasses().that().resideInAPackage(ROOT + ".db..")
                .should().dependOnClassesThat(PROJECT.and(DescribedPredicate.not(
                        resideInAnyPackage(ROOT + ".db..", ROOT + ".config.."))).as("outside db and config"))
                .check(classes);
    }

    @Test
    void authenticationImportsNoFeature() {
        noClasses().that().resideInAPackage(ROOT + ".auth..").should().dependOnClassesThat(FEATURE).check(classes);
    }

    @Test
    void featuresKnowNeitherTheWebLayerNorTheWebFramework() {
        noClasses().that(FEATURE)
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".http..", ROOT + ".cli..", "io.javalin..")
                .check(classes);
    }
}
