package dev.openplus.db;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The embedded PostgreSQL 17 that OpenPlus runs by default, in {@code <data dir>/pg}.
 *
 * <p>Only the binaries come from zonky's Maven artifact; the process is managed here because the defaults of
 * the usual wrappers are wrong for a persistent database (fsync, synchronous_commit and full_page_writes off),
 * because PostgreSQL refuses to run as root (it is started inside {@code unshare -U} then), and because a
 * {@code kill -9} of the JVM leaves the postmaster running: the next start must find and stop that orphan.
 *
 * <p>Who owns the running postmaster is decided by {@code openplus.lock}: the process that holds it (a server,
 * or an admin command that started PostgreSQL itself) stops PostgreSQL when it ends. A postmaster that runs
 * while nobody holds the lock is an orphan.
 *
 * <p>Access: PostgreSQL trusts connections on its Unix-domain socket, whose directory only this user may enter
 * (mode 0700), and listens on no TCP address unless asked to; then TCP connections need the password kept in
 * {@code <data dir>/pg-password} (mode 0600). {@code pg_hba.conf} is written at every start, so that a data
 * directory made by an older version, which trusted every local TCP connection, is closed as well.
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final String BINARIES_RESOURCE = "/postgres-linux-x86_64.txz";
    public static final String DATABASE = "postgres";
    public static final String USER = "postgres";

    private final Path dataDir;
    private final Path pgData;
    private final Path binDir;
    private FileChannel lockChannel;
    private FileLock lock;
    /** The lock file this instance holds the lock of, or null. */
    private Path lockFile;
    /** Lock files whose lock this JVM holds. */
    private static final java.util.Set<Path> LOCKED_BY_THIS_JVM = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final String sharedBuffers;
    /** Whether the postmaster also listens on 127.0.0.1, with a password (OPENPLUS_PG_TCP). */
    private final boolean tcp;
    private int port;
    /** The postmaster's Unix-domain socket file: every connection goes through it. */
    private Path socketFile;
    /** A socket directory made in the temporary directory (the data directory's path was too long), or null. */
    private Path temporarySocketDirectory;
    /** The pid of the postmaster this instance started, 0 for one it joined. */
    private volatile long postmasterPid;
    private boolean owner;

    private EmbeddedPostgres(Path dataDir, String sharedBuffers, boolean tcp) {
        this.dataDir = dataDir;
        this.sharedBuffers = sharedBuffers;
        this.tcp = tcp;
        this.pgData = dataDir.resolve("pg");
        this.binDir = dataDir.resolve("pg-bin");
    }

    /**
     * Connects to the data directory's PostgreSQL: joins one that a live OpenPlus process runs, or starts it
     * (recovering from an unclean stop first) and then owns it.
     *
     * @param exclusive a server passes true: another live owner is then an error, not something to join
     */
    public static EmbeddedPostgres open(Path dataDir, boolean exclusive) throws IOException {
        return open(dataDir, exclusive, "128MB");
    }

    /**
     * @param sharedBuffers PostgreSQL's {@code shared_buffers} when this call starts it (e.g. "2GB"); one that
     *                      is joined keeps the size it was started with
     */
    public static EmbeddedPostgres open(Path dataDir, boolean exclusive, String sharedBuffers) throws IOException {
        return open(dataDir, exclusive, sharedBuffers, false);
    }

    /**
     * @param tcp when this call starts PostgreSQL: listen on 127.0.0.1 as well, where connections need the
     *            password in {@link #passwordFile()}; without it PostgreSQL listens on its Unix-domain socket only
     */
    public static EmbeddedPostgres open(Path dataDir, boolean exclusive, String sharedBuffers, boolean tcp)
            throws IOException {
        EmbeddedPostgres pg = new EmbeddedPostgres(dataDir, sharedBuffers, tcp);
        pg.openInternal(exclusive);
        return pg;
    }

    public int port() {
        return port;
    }

    /**
     * Over the postmaster's Unix-domain socket (every connection of this process: the pool, the LISTEN
     * connection, the admin commands). The host and port stay in the URL for the driver, which
     * {@link UnixSocketFactory} then ignores.
     */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE + "?socketFactory="
                + UnixSocketFactory.class.getName() + "&socketFactoryArg="
                + java.net.URLEncoder.encode(socketFile.toString(), StandardCharsets.UTF_8);
    }

    /** The Unix-domain socket file the JDBC URL goes through; its directory is what {@code psql -h} takes. */
    public Path socketFile() {
        return socketFile;
    }

    /** The password TCP connections need when PostgreSQL listens on TCP ({@code OPENPLUS_PG_TCP}). */
    public Path passwordFile() {
        return dataDir.resolve("pg-password");
    }

    /** True when this process started PostgreSQL and will stop it on close. */
    public boolean owner() {
        return owner;
    }

    private void openInternal(boolean exclusive) throws IOException {
        Files.createDirectories(dataDir);
        Path lockFile = dataDir.resolve("openplus.lock").toAbsolutePath().normalize();
        if (LOCKED_BY_THIS_JVM.contains(lockFile)) {
            // This very JVM owns the directory (a server and an admin command in one process, as in tests).
            // Opening and closing another channel on the file would release the owner's lock (POSIX locks
            // belong to the process, and closing any descriptor of the file drops them), so do not touch it.
            lock = null;
        } else {
            lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = lockChannel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null;
            }
            if (lock != null) {
                LOCKED_BY_THIS_JVM.add(lockFile);
                this.lockFile = lockFile;
            }
        }
        Optional<Integer> runningPort = runningPostmasterPort();
        if (lock == null) {
            // A live OpenPlus process owns this data directory.
            if (lockChannel != null) {
                lockChannel.close();
                lockChannel = null;
            }
            if (exclusive) {
                throw new IllegalStateException("another OpenPlus server is already running on " + dataDir);
            }
            port = runningPort.orElseThrow(() -> new IllegalStateException(
                    "the OpenPlus process that owns " + dataDir + " has no PostgreSQL running yet; try again"));
            socketFile = runningSocketFile(port).orElseThrow(() -> new IllegalStateException(
                    "the PostgreSQL running for " + dataDir + " has no Unix-domain socket (started by an older "
                            + "OpenPlus?); restart the server"));
            owner = false;
            return;
        }
        owner = true;
        if (runningPort.isPresent()) {
            LOG.warn("found a PostgreSQL left running by an OpenPlus process that did not stop cleanly; stopping it");
            stopPostmaster();
        }
        ensureBinaries();
        if (!Files.exists(pgData.resolve("PG_VERSION"))) {
            initdb();
        }
        PostgresAccess.restrict(pgData);
        port = freePort();
        startPostmaster();
        if (tcp) {
            PostgresAccess.setPassword(jdbcUrl(), USER, passwordFile());
        }
    }

    /**
     * Where the postmaster puts its Unix-domain socket: {@code <data dir>/run}, which only this user may enter.
     * When the socket file's path there would be longer than the operating system allows (107 bytes) or hold
     * characters that pg_ctl's command line would have to quote, a directory of the same mode made in the
     * temporary directory instead (postmaster.pid names it for the processes that join).
     */
    private Path socketDirectory() throws IOException {
        if (temporarySocketDirectory != null) {
            return temporarySocketDirectory;
        }
        Path directory = dataDir.toAbsolutePath().normalize().resolve("run");
        if (usableSocketDirectory(directory)) {
            Files.createDirectories(directory);
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
            // Socket files a killed postmaster left on other ports: nothing of this directory runs now (the
            // owner starts PostgreSQL only when none runs), and a restart keeps its own port.
            try (var entries = Files.newDirectoryStream(directory, ".s.PGSQL.*")) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (!name.equals(".s.PGSQL." + port) && !name.equals(".s.PGSQL." + port + ".lock")) {
                        Files.deleteIfExists(entry);
                    }
                }
            }
            return directory;
        }
        Path temporary = Files.createTempDirectory("openplus-pg-"); // mode 0700
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwx------"));
        if (!usableSocketDirectory(temporary)) {
            Files.delete(temporary);
            throw new IllegalStateException("no directory for PostgreSQL's socket file: " + directory + " and "
                    + temporary + " are too long or hold characters other than letters, digits and ._/+-; "
                    + "use a shorter OPENPLUS_DATA_DIR or java.io.tmpdir");
        }
        LOG.info("the socket file's path under {} would be too long; PostgreSQL's socket goes to {}", dataDir,
                temporary);
        temporarySocketDirectory = temporary;
        return temporary;
    }

    private boolean usableSocketDirectory(Path directory) {
        String file = directory.resolve(".s.PGSQL." + port).toString();
        return file.getBytes(StandardCharsets.UTF_8).length <= 107 && file.matches("[A-Za-z0-9._/+-]+");
    }

    /** The socket file named in a running postmaster's postmaster.pid (its fifth line), if it exists. */
    private Optional<Path> runningSocketFile(int runningPort) throws IOException {
        Path pidFile = pgData.resolve("postmaster.pid");
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        }
        if (lines.size() < 5 || lines.get(4).isBlank()) {
            return Optional.empty();
        }
        Path file = Path.of(lines.get(4).trim()).resolve(".s.PGSQL." + runningPort);
        return Files.exists(file) ? Optional.of(file) : Optional.empty();
    }

    /** The port of a postmaster that is alive for this data directory, if any. */
    private Optional<Integer> runningPostmasterPort() throws IOException {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        if (lines.size() < 4) {
            return Optional.empty();
        }
        long pid;
        int pidPort;
        try {
            pid = Long.parseLong(lines.get(0).trim());
            pidPort = Integer.parseInt(lines.get(3).trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        boolean alive = ProcessHandle.of(pid).map(handle -> handle.isAlive()
                && handle.info().command().map(command -> command.contains("postgres")).orElse(true))
                .orElse(false);
        return alive ? Optional.of(pidPort) : Optional.empty();
    }

    private void ensureBinaries() throws IOException {
        Path marker = binDir.resolve(".complete");
        if (Files.exists(marker)) {
            return;
        }
        deleteRecursively(binDir);
        Files.createDirectories(binDir);
        try (InputStream raw = EmbeddedPostgres.class.getResourceAsStream(BINARIES_RESOURCE)) {
            if (raw == null) {
                throw new IllegalStateException("PostgreSQL binaries " + BINARIES_RESOURCE + " are not on the classpath");
            }
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(raw))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path target = binDir.resolve(entry.getName()).normalize();
                    if (!target.startsWith(binDir)) {
                        throw new IOException("unexpected path in PostgreSQL archive: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(target.getParent());
                        Files.deleteIfExists(target);
                        Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        if ((entry.getMode() & 0100) != 0) {
                            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                        }
                    }
                }
            }
        }
        Files.createFile(marker);
    }

    private void initdb() throws IOException {
        LOG.info("initialising a new PostgreSQL data directory in {}", pgData);
        deleteRecursively(pgData);
        run(Duration.ofMinutes(2), bin("initdb"), "--auth-local=trust", "--auth-host=scram-sha-256", "-U", USER,
                "-E", "UTF-8", "--locale=C", "-D", pgData.toString());
    }

    private void startPostmaster() throws IOException {
        Path socketDirectory = socketDirectory();
        // Durability first: this directory holds the operator's real data. No TCP unless asked for: the socket's
        // directory is what keeps other local users out (pg_hba.conf trusts the socket).
        String options = String.join(" ",
                "-p", Integer.toString(port),
                "-c", "listen_addresses=" + (tcp ? "127.0.0.1" : "''"),
                "-c", "unix_socket_directories=" + socketDirectory,
                "-c", "unix_socket_permissions=0700",
                "-c", "fsync=on",
                "-c", "synchronous_commit=on",
                "-c", "full_page_writes=on",
                "-c", "timezone=UTC",
                "-c", "max_connections=200",
                "-c", "shared_buffers=" + sharedBuffers);
        run(Duration.ofMinutes(3), bin("pg_ctl"), "-D", pgData.toString(), "-o", options,
                "-l", dataDir.resolve("postgres.log").toString(), "-w", "-t", "170", "start");
        socketFile = socketDirectory.resolve(".s.PGSQL." + port);
        if (!Files.exists(socketFile)) {
            throw new IOException("PostgreSQL started without its socket file " + socketFile + "; see "
                    + dataDir.resolve("postgres.log"));
        }
        postmasterPid = Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid"), StandardCharsets.UTF_8)
                .get(0).trim());
        LOG.info("embedded PostgreSQL started on {}{} with data in {} (shared_buffers {})", socketFile,
                tcp ? " and 127.0.0.1:" + port : "", pgData, sharedBuffers);
    }

    /**
     * Whether the postmaster this instance started still runs. A postmaster that died (killed, or out of memory)
     * takes its connections with it: every statement fails until {@link #restart()}.
     */
    public boolean postmasterAlive() {
        long pid = postmasterPid;
        return pid != 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !zombie(pid);
    }

    /**
     * A dead process that its parent has not reaped yet counts as alive for {@link ProcessHandle}. The dead
     * postmaster's parent is whatever adopted it: an init reaps it soon, but a JVM that is itself process 1 (a
     * container started with {@code exec java}) never does, so its state in /proc/PID/stat decides.
     */
    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            int afterName = stat.lastIndexOf(')');
            return afterName > 0 && afterName + 2 < stat.length() && "ZX".indexOf(stat.charAt(afterName + 2)) >= 0;
        } catch (IOException e) {
            return false; // no /proc entry: ProcessHandle already said whether it runs
        }
    }

    /**
     * Starts the postmaster again after it died, on the same port and socket file (the pool's JDBC URL names
     * them); PostgreSQL replays its write-ahead log first. Fails while backends of the dead postmaster still
     * hold its shared memory: they end by themselves once they notice, so the caller tries again.
     */
    public synchronized void restart() throws IOException {
        if (!owner) {
            throw new IllegalStateException("only the process that started PostgreSQL restarts it");
        }
        if (postmasterAlive()) {
            return;
        }
        startPostmaster();
    }

    private void stopPostmaster() throws IOException {
        run(Duration.ofMinutes(2), bin("pg_ctl"), "-D", pgData.toString(), "-m", "fast", "-w", "-t", "110", "stop");
    }

    @Override
    public synchronized void close() {
        try {
            if (owner) {
                if (postmasterPid != 0 && !postmasterAlive()) {
                    LOG.warn("the embedded PostgreSQL was not running any more");
                } else {
                    stopPostmaster();
                    LOG.info("embedded PostgreSQL stopped");
                }
                postmasterPid = 0;
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("could not stop the embedded PostgreSQL cleanly", e);
        } finally {
            releaseLock();
            if (temporarySocketDirectory != null) {
                try {
                    deleteRecursively(temporarySocketDirectory);
                } catch (IOException e) {
                    LOG.warn("could not remove {}", temporarySocketDirectory, e);
                }
            }
        }
    }

    /** Gives up ownership without stopping PostgreSQL: what a crash leaves behind (used by recovery tests). */
    void abandonForTest() {
        releaseLock();
    }

    private void releaseLock() {
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
            if (lockFile != null) {
                LOCKED_BY_THIS_JVM.remove(lockFile);
                lockFile = null;
            }
        } catch (IOException e) {
            LOG.warn("could not release {}", dataDir.resolve("openplus.lock"), e);
        }
    }

    private String bin(String name) {
        return binDir.resolve("bin").resolve(name).toString();
    }

    /** PostgreSQL will not run as root; inside a fresh user namespace it runs as an unmapped user, which it accepts. */
    private void run(Duration timeout, String... command) throws IOException {
        List<String> full = new ArrayList<>();
        if (runningAsRoot()) {
            full.add("unshare");
            full.add("-U");
        }
        full.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("postgres-admin.log").toFile()));
        builder.environment().put("LC_ALL", "C");
        builder.environment().put("TZ", "UTC");
        Process process = builder.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("failed (exit " + process.exitValue() + "): " + String.join(" ", command)
                    + " — see " + dataDir.resolve("postgres-admin.log") + " and " + dataDir.resolve("postgres.log"));
        }
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
