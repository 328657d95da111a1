package dev.openplus.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/** Secrets never appear where a configuration is printed; the throttling settings are read and checked. */
@Tag("fast")
class ConfigTest {

    @Test
    void printingAConfigurationHidesTheDatabasePassword() {
        Config config = Config.fromMap(Map.of(
                "OPENPLUS_DATABASE_URL", "jdbc:postgresql://db.example:5432/openplus?ssl=true&password=in-the-url&x=1",
                "OPENPLUS_DATABASE_USER", "openplus",
                "OPENPLUS_DATABASE_PASSWORD", "s3cret-pass"));
        for (Object printed : new Object[] {config, config.withPort(0), config.withAuthLimits(config.authLimits())}) {
            assertThat(printed.toString())
                    .doesNotContain("s3cret-pass").doesNotContain("in-the-url")
                    .contains("databasePassword=***")
                    .contains("jdbc:postgresql://db.example:5432/openplus?ssl=true&password=***&x=1")
                    .contains("databaseUser=openplus");
        }
        assertThat(config.databasePassword()).isEqualTo("s3cret-pass"); // the value itself is intact
        assertThat(Config.fromMap(Map.of()).toString()).contains("databasePassword=null");
    }

    @Test
    void aBlankDataDirectoryIsTheDefaultNotTheCurrentDirectory() {
        java.nio.file.Path standard = java.nio.file.Path.of("./data").toAbsolutePath().normalize();
        assertThat(Config.fromMap(Map.of("OPENPLUS_DATA_DIR", "")).dataDir()).isEqualTo(standard);
        assertThat(Config.fromMap(Map.of("OPENPLUS_DATA_DIR", "  ")).dataDir()).isEqualTo(standard);
        assertThat(Config.fromMap(Map.of("OPENPLUS_DATA_DIR", "/srv/openplus")).dataDir())
                .isEqualTo(java.nio.file.Path.of("/srv/openplus"));
    }

    @Test
    void throttlingSettingsHaveDefaultsAndAreRead() {
        Config.AuthLimits defaults = Config.fromMap(Map.of()).authLimits();
        assertThat(defaults.clientBurst()).isEqualTo(20);
        assertThat(defaults.clientPerMinute()).isEqualTo(20);
        assertThat(defaults.addressBurst()).isEqualTo(200);
        assertThat(defaults.addressPerMinute()).isEqualTo(120);
        assertThat(defaults.addressHeader()).isNull();
        assertThat(defaults.hashThreads()).isPositive();
        assertThat(defaults.hashQueue()).isEqualTo(32);

        Config.AuthLimits set = Config.fromMap(Map.of("OPENPLUS_THROTTLE_CLIENT_BURST", "5",
                "OPENPLUS_THROTTLE_CLIENT_PER_MINUTE", "6", "OPENPLUS_THROTTLE_ADDRESS_BURST", "7",
                "OPENPLUS_THROTTLE_ADDRESS_PER_MINUTE", "8", "OPENPLUS_CLIENT_ADDRESS_HEADER", " X-Real-IP ",
                "OPENPLUS_HASH_THREADS", "3", "OPENPLUS_HASH_QUEUE", "9")).authLimits();
        assertThat(set).isEqualTo(new Config.AuthLimits(5, 6, 7, 8, "X-Real-IP", 3, 9));

        assertThatThrownBy(() -> Config.fromMap(Map.of("OPENPLUS_HASH_QUEUE", "0")))
                .hasMessage("OPENPLUS_HASH_QUEUE must be at least 1, got 0");
        assertThatThrownBy(() -> Config.fromMap(Map.of("OPENPLUS_THROTTLE_ADDRESS_BURST", "many")))
                .hasMessage("OPENPLUS_THROTTLE_ADDRESS_BURST must be a whole number, got 'many'");
    }

    @Test
    void changeFeedPruningIsEveryTenMinutesByDefaultAndZeroTurnsItOff() {
        Config.ChangeRetention defaults = Config.fromMap(Map.of()).changeRetention();
        assertThat(defaults.period()).isEqualTo(java.time.Duration.ofDays(30));
        assertThat(defaults.pruneInterval()).isEqualTo(java.time.Duration.ofMinutes(10));
        assertThat(defaults.pruning()).isTrue();
        Config.ChangeRetention off = Config.fromMap(Map.of("OPENPLUS_CHANGE_PRUNE_INTERVAL", "0",
                "OPENPLUS_CHANGE_RETENTION", "7")).changeRetention();
        assertThat(off.pruning()).isFalse();
        assertThat(off.period()).isEqualTo(java.time.Duration.ofDays(7));
        assertThat(Config.fromMap(Map.of("OPENPLUS_CHANGE_PRUNE_INTERVAL", "30s")).changeRetention().pruneInterval())
                .isEqualTo(java.time.Duration.ofSeconds(30));
        assertThatThrownBy(() -> Config.fromMap(Map.of("OPENPLUS_CHANGE_PRUNE_INTERVAL", "often")))
                .hasMessageContaining("OPENPLUS_CHANGE_PRUNE_INTERVAL");
    }

    @Test
    void bulkDataExportsGoUnderTheDataDirectoryByDefaultAndAreKeptADay() {
        Config.FhirExport defaults = Config.fromMap(Map.of("OPENPLUS_DATA_DIR", "/srv/openplus")).fhirExport();
        assertThat(defaults.directory()).isEqualTo(java.nio.file.Path.of("/srv/openplus/fhir-export"));
        assertThat(defaults.ttl()).isEqualTo(java.time.Duration.ofHours(24));
        assertThat(defaults.threads()).isEqualTo(2);
        assertThat(defaults.pollInterval()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(defaults.cleanupInterval()).isEqualTo(java.time.Duration.ofMinutes(10));
        assertThat(defaults.fileResources()).isEqualTo(100_000);
        Config.FhirExport set = Config.fromMap(Map.of("OPENPLUS_FHIR_EXPORT_DIR", "/exports", "OPENPLUS_FHIR_EXPORT_TTL",
                "2h", "OPENPLUS_FHIR_EXPORT_THREADS", "0", "OPENPLUS_FHIR_EXPORT_POLL_INTERVAL", "0",
                "OPENPLUS_FHIR_EXPORT_CLEANUP_INTERVAL", "0", "OPENPLUS_FHIR_EXPORT_FILE_RESOURCES", "10")).fhirExport();
        assertThat(set.directory()).isEqualTo(java.nio.file.Path.of("/exports"));
        assertThat(set.ttl()).isEqualTo(java.time.Duration.ofHours(2));
        assertThat(set.threads()).isZero();
        assertThat(set.polling()).isFalse();
        assertThat(set.cleaningUp()).isFalse();
        assertThat(set.fileResources()).isEqualTo(10);
        assertThatThrownBy(() -> Config.fromMap(Map.of("OPENPLUS_FHIR_EXPORT_TTL", "0")))
                .hasMessageContaining("OPENPLUS_FHIR_EXPORT_TTL");
        assertThatThrownBy(() -> Config.fromMap(Map.of("OPENPLUS_FHIR_EXPORT_FILE_RESOURCES", "0")))
                .hasMessageContaining("OPENPLUS_FHIR_EXPORT_FILE_RESOURCES");
    }
}
