package dev.openplus.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may connect to the embedded PostgreSQL: the Unix-domain socket is trusted (its directory is the lock),
 * TCP needs a password. Written at every start rather than only by initdb, so that a data directory made when
 * OpenPlus trusted every local TCP connection is closed by the first start of a newer version.
 */
final class PostgresAccess {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresAccess.class);

    static final String HBA = """
            # Written by OpenPlus at every start of its embedded PostgreSQL: changes here are overwritten.
            # The Unix-domain socket is trusted: its directory (<data dir>/run) only OpenPlus's user may enter.
            # TCP (only with OPENPLUS_PG_TCP=true) needs the password in <data dir>/pg-password.
            local   all             all                                     trust
            local   replication     all                                     trust
            host    all             all             127.0.0.1/32            scram-sha-256
            host    all             all             ::1/128                 scram-sha-256
            host    replication     all             127.0.0.1/32            scram-sha-256
            host    replication     all             ::1/128                 scram-sha-256
            """;

    /**
     * Settings of postgresql.auto.conf ({@code ALTER SYSTEM}) that would decide access instead of OpenPlus:
     * another authentication file, or addresses and socket modes the start options set. The start options win
     * over the file for the latter, but a stale line there misleads whoever reads it.
     */
    private static final Set<String> ACCESS_SETTINGS = Set.of("listen_addresses", "unix_socket_directories",
            "unix_socket_permissions", "unix_socket_group", "hba_file", "ident_file");
    private static final Pattern SETTING = Pattern.compile("^\\s*([A-Za-z_.]+)\\s*=.*$");

    private PostgresAccess() {
    }

    /** Writes pg_hba.conf and drops access settings from postgresql.auto.conf, before the postmaster starts. */
    static void restrict(Path pgData) throws IOException {
        Path hba = pgData.resolve("pg_hba.conf");
        if (!Files.exists(hba) || !Files.readString(hba, StandardCharsets.UTF_8).equals(HBA)) {
            if (Files.exists(hba) && Files.readAllLines(hba, StandardCharsets.UTF_8).stream()
                    .map(line -> line.strip().split("\\s+"))
                    .anyMatch(fields -> fields[0].startsWith("host") && List.of(fields).contains("trust"))) {
                LOG.warn("{} let TCP connections in without a password; replacing it", hba);
            }
            writePrivately(hba, HBA);
        }
        Path auto = pgData.resolve("postgresql.auto.conf");
        if (Files.exists(auto)) {
            List<String> lines = Files.readAllLines(auto, StandardCharsets.UTF_8);
            List<String> kept = lines.stream().filter(line -> {
                var matcher = SETTING.matcher(line);
                return !matcher.matches() || !ACCESS_SETTINGS.contains(matcher.group(1).toLowerCase(java.util.Locale.ROOT));
            }).toList();
            if (kept.size() != lines.size()) {
                LOG.warn("removing access settings ({}) from {}: OpenPlus sets them at start", ACCESS_SETTINGS, auto);
                writePrivately(auto, String.join("\n", kept) + "\n");
            }
        }
    }

    /**
     * Gives the user the password kept in {@code passwordFile} (made, mode 0600, on first use), over the socket.
     * The driver hashes it (SCRAM) before it leaves this process, so the statement PostgreSQL may log holds no
     * password.
     */
    static void setPassword(String jdbcUrl, String user, Path passwordFile) throws IOException {
        String password = password(passwordFile);
        try (Connection connection = DriverManager.getConnection(jdbcUrl, user, null)) {
            connection.unwrap(PGConnection.class).alterUserPassword(user, password.toCharArray(), "scram-sha-256");
        } catch (SQLException e) {
            throw new IOException("could not set the password of the embedded PostgreSQL's user " + user, e);
        }
    }

    private static String password(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n",
                        StandardCharsets.UTF_8);
            } catch (FileAlreadyExistsException raced) {
                // another process made it first: use theirs
            }
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        String password = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (password.isEmpty()) {
            throw new IOException(file + " is empty; delete it and start again for a new password");
        }
        return password;
    }

    /** Replaces a file atomically with one only this user may read (PostgreSQL's own files are 0600). */
    private static void writePrivately(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".openplus-new");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
