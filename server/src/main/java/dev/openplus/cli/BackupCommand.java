package dev.openplus.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.db.Database;
import dev.openplus.db.backup.Backup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code openplus admin backup --to FILE}: the whole database, online, in one consistent snapshot. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Write a backup of the whole database to one checksummed file, while the server runs.")
final class BackupCommand extends AdminCommand.Reported {
    @ParentCommand
    AdminCommand admin;

    @Option(names = "--to", required = true, description = "The file to write; it must not exist yet.")
    Path to;

    @Option(names = "--snapshot", description = "Read in this snapshot, exported by another transaction with "
            + "pg_export_snapshot() (as pg_dump --snapshot does). Default: the moment the backup starts.")
    String snapshot;

    @Override
    AdminCommand admin() {
        return admin;
    }

    @Override
    Result run() throws Exception {
        if (Files.exists(to)) {
            throw new AdminCommand.AdminError(to + " already exists; choose another name (a backup never overwrites a file)");
        }
        Backup.Result written;
        try (Database database = Database.open(admin.main.config(), false);
                Connection connection = database.dedicatedConnection()) {
            try {
                written = Backup.write(connection, snapshot, to);
            } catch (FileAlreadyExistsException e) {
                throw new AdminCommand.AdminError(to + " already exists; choose another name (a backup never overwrites a file)");
            } catch (NoSuchFileException e) {
                throw new AdminCommand.AdminError("cannot write " + to + ": its directory does not exist");
            } catch (AccessDeniedException e) {
                throw new AdminCommand.AdminError("cannot write " + to + ": permission denied");
            } catch (IOException e) {
                throw new AdminCommand.AdminError("cannot write " + to + ": " + e.getMessage());
            } catch (SQLException e) {
                throw new AdminCommand.AdminError("backup failed, no file written: " + e.getMessage());
            }
        }
        long rows = written.rows().values().stream().mapToLong(Long::longValue).sum();
        ObjectNode json = object().put("file", to.toString()).put("schema_version", written.schemaVersion())
                .put("rows", rows).put("bytes", written.bytes()).put("sha256", written.sha256());
        ObjectNode tables = json.putObject("tables");
        written.rows().forEach(tables::put);
        return new Result(json, "backed up " + rows + " rows of " + written.rows().size() + " tables (schema version "
                + written.schemaVersion() + ") to " + to + ", " + written.bytes() + " bytes, sha256 " + written.sha256());
    }
}
