package dev.openplus.db.backup;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;

import org.flywaydb.core.api.MigrationVersion;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import dev.openplus.db.Database;
import dev.openplus.db.Migrations;

/**
 * Restores a backup into an empty database: checks the whole file first (checksum, format, schema version)
 * without touching the target; creates the schema of the backup's version with the migrations; loads every
 * table in one transaction that commits only after the checksum has been verified again; then applies the
 * migrations that came after the backup's version.
 */
public final class Restore {
    private Restore() {
    }

    /**
     * What was restored: the backup's schema version, the version after the later migrations, the rows per
     * table, and the rows of the file's tables that the migrations do not create (skipped).
     */
    public record Result(Path file, String backupSchemaVersion, String schemaVersion, Map<String, Long> rows,
            Map<String, Long> skipped, List<String> skippedSequences, String sha256) {
    }

    /**
     * Reads and checks the whole file, and refuses one whose schema is newer than this build's migrations.
     * Nothing is opened or changed: call it before opening the target.
     */
    public static BackupFile.Contents check(Path file) {
        BackupFile.Contents contents = BackupFile.verify(file);
        MigrationVersion latest = Migrations.latest();
        String version = contents.header().schemaVersion();
        if (MigrationVersion.fromVersion(version).isNewerThan(latest.getVersion())) {
            throw new BackupFileException(file + " holds schema version " + version + ", newer than this build knows ("
                    + latest.getVersion() + "); restore it with the OpenPlus that wrote it, or a later one");
        }
        return contents;
    }

    /** Tables, views and sequences in the target's schema: a target with any is not empty. */
    public static int relationsInTarget(Database database) throws SQLException {
        try (Connection connection = database.dedicatedConnection();
                PreparedStatement query = connection.prepareStatement("select count(*) from pg_class "
                        + "where relnamespace = current_schema()::regnamespace and relkind in ('r', 'p', 'v', 'm', 'S')");
                ResultSet r = query.executeQuery()) {
            r.next();
            return r.getInt(1);
        }
    }

    /**
     * Restores a checked file ({@link #check}) into the database, whose schema must be empty (see
     * {@link #relationsInTarget}).
     */
    public static Result restore(Database database, Path file, BackupFile.Contents checked) throws SQLException {
        String backupVersion = checked.header().schemaVersion();
        database.migrate(backupVersion);
        BackupFile.Contents restored;
        Set<String> present;
        try (Connection connection = database.dedicatedConnection()) {
            connection.setAutoCommit(false);
            try {
                present = present(connection, checked.header());
                restored = load(connection, file, checked.header(), present);
                connection.commit();
            } catch (RuntimeException | SQLException e) {
                connection.rollback();
                throw e;
            }
        }
        String schemaVersion = database.migrate(null);
        Map<String, Long> rows = new LinkedHashMap<>();
        Map<String, Long> skipped = new LinkedHashMap<>();
        restored.summary().rows().forEach((table, count) -> (present.contains(table) ? rows : skipped).put(table, count));
        List<String> skippedSequences = checked.header().sequences().stream().filter(name -> !present.contains(name)).toList();
        return new Result(file, backupVersion, schemaVersion, rows, skipped, skippedSequences, restored.sha256());
    }

    /**
     * The file's tables and sequences that the migrations created in the target. One beside them in the
     * source's schema that no migration made (an operator's own, say) has no definition here: a table's rows
     * are checked but skipped, a sequence's value is skipped.
     */
    private static Set<String> present(Connection connection, BackupFile.Header header) throws SQLException {
        Set<String> present = new HashSet<>();
        List<String> names = new ArrayList<>(header.sequences());
        header.tables().forEach(table -> names.add(table.name()));
        try (PreparedStatement query = connection.prepareStatement("select relname from pg_class "
                + "where relnamespace = current_schema()::regnamespace and relkind in ('r', 'p', 'S') and relname = any (?)")) {
            query.setArray(1, connection.createArrayOf("text", names.toArray()));
            try (ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    present.add(r.getString(1));
                }
            }
        }
        return present;
    }

    private static BackupFile.Contents load(Connection connection, Path file, BackupFile.Header checked,
            Set<String> present) throws SQLException {
        List<String> tables = checked.tables().stream().map(BackupFile.Table::name).filter(present::contains).toList();
        String tableList = String.join(", ", tables.stream().map(Backup.Schema::quote).toList());
        List<Trigger> triggers = enabledUserTriggers(connection, tables);
        try (Statement statement = connection.createStatement()) {
            // The file holds what the triggers derived (kept counts, stored linkage, copied columns) as of the
            // backup: loading it with them firing would count everything twice. Foreign keys stay checked.
            for (Trigger trigger : triggers) {
                statement.execute("alter table " + Backup.Schema.quote(trigger.table()) + " disable trigger "
                        + Backup.Schema.quote(trigger.name()));
            }
            // Rows the migrations put in (the question catalogue, …) are in the file as they were at the backup.
            statement.execute("truncate " + tableList);
        }
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        BackupFile.Contents contents = BackupFile.read(file, (table, rows) -> present.contains(table.name())
                ? copy.copyIn("copy " + Backup.Schema.quote(table.name()) + " (" + Backup.Schema.columnList(table)
                        + ") from stdin", rows)
                : BackupFile.countLines(rows));
        if (!contents.header().equals(checked)) {
            throw new BackupFileException(file + " changed while it was being restored");
        }
        try (Statement statement = connection.createStatement()) {
            for (var sequence : contents.summary().sequences().entrySet()) {
                if (!present.contains(sequence.getKey())) {
                    continue;
                }
                statement.execute("select setval('" + Backup.Schema.quote(sequence.getKey()).replace("'", "''") + "', "
                        + sequence.getValue().lastValue() + ", " + sequence.getValue().isCalled() + ")");
            }
            for (Trigger trigger : triggers) {
                statement.execute("alter table " + Backup.Schema.quote(trigger.table()) + " enable "
                        + trigger.mode() + " trigger " + Backup.Schema.quote(trigger.name()));
            }
        }
        return contents;
    }

    /** A trigger of the migrations, and how it fires ("" for ordinary, "replica", "always"). */
    private record Trigger(String table, String name, String mode) {
    }

    private static List<Trigger> enabledUserTriggers(Connection connection, List<String> tables) throws SQLException {
        List<Trigger> triggers = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("""
                select c.relname, t.tgname, t.tgenabled
                from pg_trigger t join pg_class c on c.oid = t.tgrelid
                where not t.tgisinternal and t.tgenabled <> 'D'
                  and c.relnamespace = current_schema()::regnamespace and c.relname = any (?)
                order by c.relname, t.tgname""")) {
            query.setArray(1, connection.createArrayOf("text", tables.toArray()));
            try (ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    String mode = switch (r.getString(3)) {
                        case "R" -> "replica";
                        case "A" -> "always";
                        default -> "";
                    };
                    triggers.add(new Trigger(r.getString(1), r.getString(2), mode));
                }
            }
        }
        return triggers;
    }
}
