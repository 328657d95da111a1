package dev.openplus.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.flywaydb.core.api.MigrationVersion;

/** The Flyway migrations this build carries. */
public final class Migrations {
    static final String LOCATION = "classpath:db/migration";
    private static final String DIRECTORY = "db/migration/";
    private static final Pattern VERSIONED = Pattern.compile("V([0-9][0-9._]*)__.*\\.sql");

    private Migrations() {
    }

    /**
     * The newest schema version this build knows, read from the migration files beside this class (its
     * directory of classes, or the jar), without a database: a restore refuses a newer backup before it
     * touches (or, embedded, creates) its target.
     */
    public static MigrationVersion latest() {
        List<MigrationVersion> versions = new ArrayList<>();
        for (String name : fileNames()) {
            Matcher matcher = VERSIONED.matcher(name);
            if (matcher.matches()) {
                versions.add(MigrationVersion.fromVersion(matcher.group(1).replace('_', '.')));
            }
        }
        return versions.stream().max(Comparator.naturalOrder())
                .orElseThrow(() -> new IllegalStateException("this build carries no migrations under " + DIRECTORY));
    }

    private static List<String> fileNames() {
        try {
            Path origin = Path.of(Migrations.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(origin)) {
                try (Stream<Path> files = Files.list(origin.resolve(DIRECTORY))) {
                    return files.map(file -> file.getFileName().toString()).toList();
                }
            }
            try (JarFile jar = new JarFile(origin.toFile())) {
                return jar.stream().map(entry -> entry.getName())
                        .filter(name -> name.startsWith(DIRECTORY) && name.length() > DIRECTORY.length())
                        .map(name -> name.substring(DIRECTORY.length())).toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not list this build's migrations", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("could not locate this build's migrations", e);
        }
    }
}
