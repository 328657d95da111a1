package dev.openplus.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * Dependencies point one way (DESIGN §2): features → engine ({@code jsonapi}) → {@code db}. The engine knows no
 * feature, no web layer, no authentication, no CLI; {@code db} knows neither the engine nor a feature;
 * {@code auth} knows no feature; features know neither the web framework nor the web layer.
 */
class DependencyDirectionTest {
    private static final String ROOT = "dev.openplus";
    private static final String[] FEATURES = {ROOT + ".organization..", ROOT + ".group..", ROOT + ".coach..",
            ROOT + ".patient..", ROOT + ".plan..", ROOT + ".metric.."};
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void theEngineImportsNoFeatureNorTheWebAuthOrCliLayers() {
        noClasses().that().resideInAPackage(ROOT + ".jsonapi..")
                .should().dependOnClassesThat().resideInAnyPackage(FEATURES)
                .orShould().dependOnClassesThat().resideInAnyPackage(ROOT + ".http..", ROOT + ".auth..",
                        ROOT + ".cli..", ROOT + ".openapi..", "io.javalin..")
                .check(classes);
    }

    @Test
    void theDatabaseLayerImportsNeitherTheEngineNorAFeature() {
        noClasses().that().resideInAPackage(ROOT + ".db..")
                .should().dependOnClassesThat().resideInAnyPackage(FEATURES)
                .orShould().dependOnClassesThat().resideInAnyPackage(ROOT + ".jsonapi..", ROOT + ".http..",
                        ROOT + ".auth..", ROOT + ".cli..", ROOT + ".openapi..")
                .check(classes);
    }

    @Test
    void authenticationImportsNoFeature() {
        noClasses().that().resideInAPackage(ROOT + ".auth..")
                .should().dependOnClassesThat().resideInAnyPackage(FEATURES)
                .check(classes);
    }

    @Test
    void featuresKnowNeitherTheWebLayerNorTheWebFramework() {
        noClasses().that().resideInAnyPackage(FEATURES)
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".http..", ROOT + ".cli..",
                        "io.javalin..")
                .check(classes);
    }
}
