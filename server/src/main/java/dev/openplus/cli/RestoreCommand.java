package dev.openplus.cli;

import java.nio.file.Path;
import java.sql.SQLException;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.config.Config;
import dev.openplus.db.Database;
import dev.openplus.db.backup.BackupFile;
import dev.openplus.db.backup.Restore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code openplus admin restore --from FILE}: a backup into an empty data directory or database. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore a backup into an empty database: a new OPENPLUS_DATA_DIR, or an empty external database.")
final class RestoreCommand extends AdminCommand.Reported {
    @ParentCommand
    AdminCommand admin;

    @Option(names = "--from", required = true, description = "The backup file (from admin backup).")
    Path from;

    @Override
    AdminCommand admin() {
        return admin;
    }

    @Override
    Result run() throws Exception {
        // The whole file is read and checked before the target is opened (or, embedded, created).
        BackupFile.Contents contents = Restore.check(from);
        Config config = admin.main.config();
        String target = config.embeddedDatabase() ? "the data directory " + config.dataDir()
                : "the database of OPENPLUS_DATABASE_URL";
        Restore.Result restored;
        try (Database database = Database.connect(config, false)) {
            int relations = Restore.relationsInTarget(database);
            if (relations > 0) {
                throw new AdminCommand.AdminError(target + " is not empty (" + relations + " tables or sequences); "
                        + "restore into a new OPENPLUS_DATA_DIR or an empty database");
            }
            try {
                restored = Restore.restore(database, from, contents);
            } catch (BackupFile.RestoreFailure | SQLException | org.flywaydb.core.api.FlywayException e) {
                throw new AdminCommand.AdminError("restore failed, no data restored: " + e.getMessage()
                        + System.lineSeparator() + target + " now holds an empty schema: "
                        + (config.embeddedDatabase() ? "remove the directory" : "drop its tables") + " before trying again");
            }
        }
        long rows = restored.rows().values().stream().mapToLong(Long::longValue).sum();
        ObjectNode json = object().put("file", from.toString()).put("backup_schema_version", restored.backupSchemaVersion())
                .put("schema_version", restored.schemaVersion()).put("rows", rows).put("sha256", restored.sha256());
        ObjectNode tables = json.putObject("tables");
        restored.rows().forEach(tables::put);
        ObjectNode skipped = json.putObject("skipped");
        restored.skipped().forEach(skipped::put);
        restored.skippedSequences().forEach(json.putArray("skipped_sequences")::add);
        String migrated = restored.schemaVersion().equals(restored.backupSchemaVersion()) ? ""
                : ", then migrated to " + restored.schemaVersion();
        return new Result(json, "restored " + rows + " rows of " + restored.rows().size() + " tables from " + from
                + " (schema version " + restored.backupSchemaVersion() + migrated + ") into " + target
                + (restored.skipped().isEmpty() && restored.skippedSequences().isEmpty() ? ""
                        : System.lineSeparator() + "skipped what OpenPlus's migrations do not create: tables (rows) "
                                + restored.skipped() + ", sequences " + restored.skippedSequences()));
    }
}
