package dev.openplus.db.backup;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Writes a backup of every table of the application's schema (all but Flyway's history, which a restore
 * rebuilds by migrating) while the server runs: one REPEATABLE READ, read-only transaction reads every table
 * in the same snapshot, so the file holds exactly the transactions committed before it started and none of
 * any transaction after. Rows are streamed (COPY … TO STDOUT) into the gzip'd file, never held in memory.
 */
public final class Backup {
    private static final Pattern SNAPSHOT_ID = Pattern.compile("[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+");

    private Backup() {
    }

    /** What was written. */
    public record Result(Path file, String schemaVersion, Map<String, Long> rows, long bytes, String sha256) {
    }

    /**
     * Writes the backup to {@code file}, which must not exist yet: into a temporary file beside it (mode 0600:
     * it holds every organization's data) that is renamed to {@code file} once complete, so a failed backup
     * leaves no half-written file under that name.
     *
     * @param connection a connection of its own (its transaction is begun and rolled back here)
     * @param snapshot   a snapshot exported by another transaction ({@code pg_export_snapshot()}) to read in,
     *                   or null for a snapshot of the moment the backup starts
     */
    public static Result write(Connection connection, String snapshot, Path file) throws IOException, SQLException {
        Path target = file.toAbsolutePath();
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(file.toString(), null, "already exists; choose another name");
        }
        if (snapshot != null && !SNAPSHOT_ID.matcher(snapshot).matches()) {
            throw new IllegalArgumentException("--snapshot " + snapshot + " is not a snapshot id (as pg_export_snapshot() returns)");
        }
        Path partial = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".partial");
        try {
            Result result;
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                result = write(connection, snapshot, Channels.newOutputStream(channel), file);
                channel.force(true);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            return new Result(file, result.schemaVersion(), result.rows(), Files.size(target), result.sha256());
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static Result write(Connection connection, String snapshot, OutputStream file, Path name)
            throws IOException, SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("set transaction isolation level repeatable read, read only");
            if (snapshot != null) {
                statement.execute("set transaction snapshot '" + snapshot + "'");
            }
            // The snapshot is taken by this first query: everything below reads as of this instant.
            List<BackupFile.Table> tables = Schema.tablesInRestoreOrder(connection);
            List<String> sequences = Schema.sequences(connection);
            statement.execute("lock table " + String.join(", ", tables.stream().map(t -> Schema.quote(t.name())).toList())
                    + " in access share mode");
            BackupFile.Header header = new BackupFile.Header(BackupFile.FORMAT_VERSION, schemaVersion(connection),
                    Instant.now().toString(), single(statement, "show server_version"), tables, sequences);

            MessageDigest digest = BackupFile.sha256();
            GZIPOutputStream gzip = new GZIPOutputStream(new BufferedOutputStream(file, BackupFile.FRAME), BackupFile.FRAME);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new DigestOutputStream(gzip, digest),
                    BackupFile.FRAME));
            BackupFile.writeHeader(out, header);
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            Map<String, Long> rows = new LinkedHashMap<>();
            for (BackupFile.Table table : tables) {
                try (BackupFile.FrameOutputStream frames = new BackupFile.FrameOutputStream(out)) {
                    rows.put(table.name(), copy.copyOut("copy (select " + Schema.columnList(table) + " from "
                            + Schema.quote(table.name()) + ") to stdout", frames));
                }
            }
            Map<String, BackupFile.SequenceValue> values = new LinkedHashMap<>();
            for (String sequence : sequences) {
                try (ResultSet r = statement.executeQuery("select last_value, is_called from " + Schema.quote(sequence))) {
                    r.next();
                    values.put(sequence, new BackupFile.SequenceValue(r.getLong(1), r.getBoolean(2)));
                }
            }
            BackupFile.writeJson(out, BackupFile.summaryJson(new BackupFile.Summary(rows, values)));
            out.flush();
            byte[] checksum = digest.digest();
            gzip.write(checksum);
            gzip.finish();
            gzip.flush();
            return new Result(name, header.schemaVersion(), rows, -1, HexFormat.of().formatHex(checksum));
        } finally {
            connection.rollback();
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Flyway's current version, as of the backup's snapshot. */
    private static String schemaVersion(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("select version from flyway_schema_history "
                + "where success and version is not null order by installed_rank desc limit 1");
                ResultSet r = query.executeQuery()) {
            if (!r.next()) {
                throw new SQLException("the database has no schema version (flyway_schema_history is empty)");
            }
            return r.getString(1);
        }
    }

    private static String single(Statement statement, String sql) throws SQLException {
        try (ResultSet r = statement.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    /** The tables of the application's schema, and how each is named in SQL. */
    static final class Schema {
        private Schema() {
        }

        static String quote(String identifier) {
            return '"' + identifier.replace("\"", "\"\"") + '"';
        }

        static String columnList(BackupFile.Table table) {
            return String.join(", ", table.columns().stream().map(Schema::quote).toList());
        }

        /**
         * Every table of the current schema but Flyway's history, each after the tables its foreign keys
         * reference (so a restore can load them in this order with every constraint checked), ties by name;
         * with the columns a COPY can write (generated columns are computed again on restore).
         */
        static List<BackupFile.Table> tablesInRestoreOrder(Connection connection) throws SQLException {
            Map<String, List<String>> columns = new LinkedHashMap<>();
            try (PreparedStatement query = connection.prepareStatement("""
                    select c.relname, a.attname
                    from pg_class c join pg_attribute a on a.attrelid = c.oid
                    where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p')
                      and not c.relispartition and c.relname <> 'flyway_schema_history'
                      and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
                    order by c.relname, a.attnum""");
                    ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    columns.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(r.getString(2));
                }
            }
            Map<String, List<String>> references = new LinkedHashMap<>();
            columns.keySet().forEach(table -> references.put(table, new ArrayList<>()));
            try (PreparedStatement query = connection.prepareStatement("""
                    select c.relname, f.relname
                    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class f on f.oid = k.confrelid
                    where k.contype = 'f' and c.relnamespace = current_schema()::regnamespace
                      and k.conrelid <> k.confrelid""");
                    ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    if (references.containsKey(r.getString(1)) && references.containsKey(r.getString(2))) {
                        references.get(r.getString(1)).add(r.getString(2));
                    }
                }
            }
            List<BackupFile.Table> ordered = new ArrayList<>();
            java.util.Set<String> placed = new java.util.HashSet<>();
            while (ordered.size() < columns.size()) {
                boolean progress = false;
                for (var entry : columns.entrySet()) {
                    if (!placed.contains(entry.getKey()) && placed.containsAll(references.get(entry.getKey()))) {
                        ordered.add(new BackupFile.Table(entry.getKey(), List.copyOf(entry.getValue())));
                        placed.add(entry.getKey());
                        progress = true;
                    }
                }
                if (!progress) {
                    throw new SQLException("the tables' foreign keys form a cycle; no restore order exists");
                }
            }
            return ordered;
        }

        static List<String> sequences(Connection connection) throws SQLException {
            List<String> names = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("select relname from pg_class "
                    + "where relnamespace = current_schema()::regnamespace and relkind = 'S' order by relname");
                    ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    names.add(r.getString(1));
                }
            }
            return names;
        }
    }
}
