package dev.openplus.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything an operator can set, read once from the environment (flags override some of it).
 * Each variable is documented in README.md.
 */
public record Config(
        int port,
        Path dataDir,
        String databaseUrl,
        String databaseUser,
        String databasePassword,
        Duration accessTokenTtl,
        Duration refreshTokenTtl,
        long maxBodyBytes,
        int maxBulkItems,
        int databasePoolSize,
        String webAppUrl,
        String bindAddress,
        Integer managementPort,
        int httpThreads,
        String embeddedSharedBuffers,
        boolean directReads,
        int fetchBatchSize,
        int fetchBatchStatements,
        boolean embeddedTcp,
        Duration databaseConnectionTimeout,
        AuthLimits authLimits,
        Duration httpBodyTimeout,
        int httpMinBodyRate,
        IdentifierUniqueness identifierUniqueness,
        ChangeRetention changeRetention,
        Webhooks webhooks,
        FhirExport fhirExport) {

    public static final int DEFAULT_PORT = 8080;

    /**
     * Throttling of failed credentials and the password-hashing executor (docs/operations.md, "Throttling").
     * Failures are counted in token buckets: each holds {@code burst} failures and regains {@code perMinute} a
     * minute; an empty bucket refuses with 429 before any work is done.
     *
     * @param addressHeader the request header a trusted proxy in front sets to the caller's address (its last
     *                      comma-separated entry is used); null: the connection's peer address
     */
    public record AuthLimits(int clientBurst, int clientPerMinute, int addressBurst, int addressPerMinute,
            String addressHeader, int hashThreads, int hashQueue) {

        static AuthLimits fromMap(Map<String, String> env) {
            return new AuthLimits(
                    atLeast(1, "OPENPLUS_THROTTLE_CLIENT_BURST", intValue(env, "OPENPLUS_THROTTLE_CLIENT_BURST", 20)),
                    atLeast(1, "OPENPLUS_THROTTLE_CLIENT_PER_MINUTE",
                            intValue(env, "OPENPLUS_THROTTLE_CLIENT_PER_MINUTE", 20)),
                    atLeast(1, "OPENPLUS_THROTTLE_ADDRESS_BURST", intValue(env, "OPENPLUS_THROTTLE_ADDRESS_BURST", 200)),
                    atLeast(1, "OPENPLUS_THROTTLE_ADDRESS_PER_MINUTE",
                            intValue(env, "OPENPLUS_THROTTLE_ADDRESS_PER_MINUTE", 120)),
                    blankToNull(env.get("OPENPLUS_CLIENT_ADDRESS_HEADER")) == null ? null
                            : env.get("OPENPLUS_CLIENT_ADDRESS_HEADER").trim(),
                    atLeast(1, "OPENPLUS_HASH_THREADS", intValue(env, "OPENPLUS_HASH_THREADS",
                            Math.max(1, Runtime.getRuntime().availableProcessors() / 2))),
                    atLeast(1, "OPENPLUS_HASH_QUEUE", intValue(env, "OPENPLUS_HASH_QUEUE", 32)));
        }
    }

    /**
     * The change feed's retention (docs/operations.md, "Change feed retention"): how long changes are kept, and how
     * often a server prunes older ones ({@link Duration#ZERO}: never; the shared test server prunes nothing, so that
     * its statements never land in the tests that count statements).
     */
    public record ChangeRetention(Duration period, Duration pruneInterval) {

        static ChangeRetention fromMap(Map<String, String> env) {
            String interval = blankToNull(env.get("OPENPLUS_CHANGE_PRUNE_INTERVAL"));
            return new ChangeRetention(
                    Duration.ofDays(atLeast(1, "OPENPLUS_CHANGE_RETENTION",
                            intValue(env, "OPENPLUS_CHANGE_RETENTION", 30))),
                    interval != null && interval.trim().equals("0") ? Duration.ZERO
                            : duration(env, "OPENPLUS_CHANGE_PRUNE_INTERVAL", "10m"));
        }

        public boolean pruning() {
            return !pruneInterval.isZero();
        }
    }

    /**
     * Webhook delivery (docs/operations.md, "Webhooks"): worker threads, how often they look for new changes, the
     * HTTP timeouts, the retry back-off and horizon, and which receiver addresses are allowed.
     *
     * @param allowedHosts host names a subscription's URL may name (empty: any host)
     */
    public record Webhooks(int threads, Duration pollInterval, Duration connectTimeout, Duration answerTimeout,
            Duration backoffBase, Duration backoffCap, Duration retryFor, boolean allowPrivate,
            java.util.List<String> allowedHosts) {

        static Webhooks fromMap(Map<String, String> env) {
            String hosts = blankToNull(env.get("OPENPLUS_WEBHOOK_ALLOWED_HOSTS"));
            return new Webhooks(
                    atLeast(0, "OPENPLUS_WEBHOOK_THREADS", intValue(env, "OPENPLUS_WEBHOOK_THREADS", 2)),
                    duration(env, "OPENPLUS_WEBHOOK_POLL_INTERVAL", "1s"),
                    duration(env, "OPENPLUS_WEBHOOK_CONNECT_TIMEOUT", "5s"),
                    duration(env, "OPENPLUS_WEBHOOK_TIMEOUT", "10s"),
                    duration(env, "OPENPLUS_WEBHOOK_BACKOFF_BASE", "1s"),
                    duration(env, "OPENPLUS_WEBHOOK_BACKOFF_CAP", "1h"),
                    duration(env, "OPENPLUS_WEBHOOK_RETRY_FOR", "24h"),
                    booleanValue(env, "OPENPLUS_WEBHOOK_ALLOW_PRIVATE", false),
                    hosts == null ? java.util.List.of() : java.util.Arrays.stream(hosts.split(","))
                            .map(host -> host.trim().toLowerCase(java.util.Locale.ROOT))
                            .filter(host -> !host.isEmpty()).toList());
        }
    }

    /**
     * FHIR Bulk Data export (docs/operations.md, "FHIR Bulk Data export"): where the ndjson files go, how long a
     * finished export is kept, the worker threads that write exports on this instance (0: none, another instance
     * writes them), how often idle workers look for jobs and the cleanup removes expired ones ({@link Duration#ZERO}:
     * never; workers still start on this instance's own kick-offs), and how many resources a file holds at most.
     */
    public record FhirExport(Path directory, Duration ttl, int threads, Duration pollInterval,
            Duration cleanupInterval, int fileResources) {

        static FhirExport fromMap(Map<String, String> env, Path dataDir) {
            String directory = blankToNull(env.get("OPENPLUS_FHIR_EXPORT_DIR"));
            return new FhirExport(
                    directory == null ? dataDir.resolve("fhir-export") : Path.of(directory.trim()).toAbsolutePath().normalize(),
                    duration(env, "OPENPLUS_FHIR_EXPORT_TTL", "24h"),
                    atLeast(0, "OPENPLUS_FHIR_EXPORT_THREADS", intValue(env, "OPENPLUS_FHIR_EXPORT_THREADS", 2)),
                    durationOrZero(env, "OPENPLUS_FHIR_EXPORT_POLL_INTERVAL", "5s"),
                    durationOrZero(env, "OPENPLUS_FHIR_EXPORT_CLEANUP_INTERVAL", "10m"),
                    atLeast(1, "OPENPLUS_FHIR_EXPORT_FILE_RESOURCES",
                            intValue(env, "OPENPLUS_FHIR_EXPORT_FILE_RESOURCES", 100_000)));
        }

        public boolean polling() {
            return !pollInterval.isZero();
        }

        public boolean cleaningUp() {
            return !cleanupInterval.isZero();
        }
    }

    /** {@link #duration}, or {@link Duration#ZERO} for "0" (off). */
    static Duration durationOrZero(Map<String, String> env, String name, String fallback) {
        String value = blankToNull(env.get(name));
        return value != null && value.trim().equals("0") ? Duration.ZERO : duration(env, name, fallback);
    }

    public static Config fromEnvironment() {
        return fromMap(System.getenv());
    }

    public static Config fromMap(Map<String, String> env) {
        // Blank is unset, as for every variable: never the current directory, where PostgreSQL's files would land.
        Path dataDir = Path.of(orDefault(blankToNull(env.get("OPENPLUS_DATA_DIR")), "./data")).toAbsolutePath().normalize();
        return new Config(
                intValue(env, "OPENPLUS_PORT", DEFAULT_PORT),
                dataDir,
                blankToNull(env.get("OPENPLUS_DATABASE_URL")),
                blankToNull(env.get("OPENPLUS_DATABASE_USER")),
                blankToNull(env.get("OPENPLUS_DATABASE_PASSWORD")),
                Duration.ofSeconds(intValue(env, "OPENPLUS_ACCESS_TOKEN_TTL", 3600)),
                Duration.ofSeconds(intValue(env, "OPENPLUS_REFRESH_TOKEN_TTL", 30 * 24 * 3600)),
                intValue(env, "OPENPLUS_MAX_BODY_BYTES", 4 * 1024 * 1024),
                intValue(env, "OPENPLUS_MAX_BULK_ITEMS", 1000),
                intValue(env, "OPENPLUS_DB_POOL_SIZE", 16),
                stripTrailingSlash(env.getOrDefault("OPENPLUS_WEB_APP_URL", "http://localhost:8080")),
                // Like PostgreSQL's listen_addresses: local only until the operator opens it up.
                orDefault(blankToNull(env.get("OPENPLUS_BIND_ADDRESS")), "127.0.0.1").trim(),
                blankToNull(env.get("OPENPLUS_MANAGEMENT_PORT")) == null ? null
                        : intValue(env, "OPENPLUS_MANAGEMENT_PORT", 0),
                atLeast(4, "OPENPLUS_HTTP_THREADS",
                        intValue(env, "OPENPLUS_HTTP_THREADS", defaultHttpThreads())),
                memorySize("OPENPLUS_PG_SHARED_BUFFERS",
                        orDefault(blankToNull(env.get("OPENPLUS_PG_SHARED_BUFFERS")), defaultSharedBuffers())),
                booleanValue(env, "OPENPLUS_HTTP_DIRECT_READS", true),
                atLeast(1, "OPENPLUS_FETCH_BATCH_SIZE", intValue(env, "OPENPLUS_FETCH_BATCH_SIZE", 64)),
                atLeast(1, "OPENPLUS_FETCH_BATCH_STATEMENTS", intValue(env, "OPENPLUS_FETCH_BATCH_STATEMENTS", 2)),
                // The embedded PostgreSQL listens on its Unix-domain socket only unless TCP is asked for.
                booleanValue(env, "OPENPLUS_PG_TCP", false),
                // How long a request waits for a database connection before it answers 503 (Hikari's own floor
                // is 250 ms).
                Duration.ofMillis(atLeast(250, "OPENPLUS_DB_CONNECTION_TIMEOUT_MS",
                        intValue(env, "OPENPLUS_DB_CONNECTION_TIMEOUT_MS", 2000))),
                AuthLimits.fromMap(env),
                Duration.ofSeconds(atLeast(1, "OPENPLUS_HTTP_BODY_TIMEOUT",
                        intValue(env, "OPENPLUS_HTTP_BODY_TIMEOUT", 30))),
                atLeast(1, "OPENPLUS_HTTP_MIN_BODY_RATE", intValue(env, "OPENPLUS_HTTP_MIN_BODY_RATE", 1024)),
                IdentifierUniqueness.parse(env.get("OPENPLUS_IDENTIFIER_UNIQUENESS")),
                ChangeRetention.fromMap(env),
                Webhooks.fromMap(env),
                FhirExport.fromMap(env, dataDir));
    }

    /** Throttling and hashing limits of their own (the limiter's tests run a second server with low ones). */
    public Config withAuthLimits(AuthLimits limits) {
        return new Config(port, dataDir, databaseUrl, databaseUser, databasePassword, accessTokenTtl,
                refreshTokenTtl, maxBodyBytes, maxBulkItems, databasePoolSize, webAppUrl, bindAddress, managementPort,
                httpThreads, embeddedSharedBuffers, directReads, fetchBatchSize, fetchBatchStatements, embeddedTcp,
                databaseConnectionTimeout, limits, httpBodyTimeout, httpMinBodyRate,
                identifierUniqueness, changeRetention, webhooks, fhirExport);
    }

    /**
     * Every setting, with the database password and any password in the database URL replaced by {@code ***}:
     * a configuration may end up in a log, an exception message or a debugger's view.
     */
    @Override
    public String toString() {
        return "Config[port=" + port + ", dataDir=" + dataDir + ", databaseUrl=" + redactUrl(databaseUrl)
                + ", databaseUser=" + databaseUser + ", databasePassword=" + (databasePassword == null ? null : "***")
                + ", accessTokenTtl=" + accessTokenTtl + ", refreshTokenTtl=" + refreshTokenTtl
                + ", maxBodyBytes=" + maxBodyBytes + ", maxBulkItems=" + maxBulkItems
                + ", databasePoolSize=" + databasePoolSize + ", webAppUrl=" + webAppUrl + ", bindAddress=" + bindAddress
                + ", managementPort=" + managementPort + ", httpThreads=" + httpThreads
                + ", embeddedSharedBuffers=" + embeddedSharedBuffers + ", directReads=" + directReads
                + ", fetchBatchSize=" + fetchBatchSize + ", fetchBatchStatements=" + fetchBatchStatements
                + ", embeddedTcp=" + embeddedTcp + ", databaseConnectionTimeout=" + databaseConnectionTimeout
                + ", authLimits=" + authLimits + ", httpBodyTimeout=" + httpBodyTimeout
                + ", httpMinBodyRate=" + httpMinBodyRate + ", identifierUniqueness=" + identifierUniqueness
                + ", changeRetention=" + changeRetention + ", webhooks=" + webhooks + ", fhirExport=" + fhirExport + "]";
    }

    /** A JDBC URL with the value of any password parameter (pgjdbc reads {@code password=} from it) hidden. */
    static String redactUrl(String url) {
        return url == null ? null
                : url.replaceAll("(?i)([?&;]password=)[^&;]*", "$1***");
    }

    public boolean embeddedDatabase() {
        return databaseUrl == null;
    }

    public Config withPort(int newPort) {
        return new Config(newPort, dataDir, databaseUrl, databaseUser, databasePassword, accessTokenTtl,
                refreshTokenTtl, maxBodyBytes, maxBulkItems, databasePoolSize, webAppUrl, bindAddress, managementPort,
                httpThreads, embeddedSharedBuffers, directReads, fetchBatchSize, fetchBatchStatements, embeddedTcp,
                databaseConnectionTimeout, authLimits, httpBodyTimeout, httpMinBodyRate,
                identifierUniqueness, changeRetention, webhooks, fhirExport);
    }

    public Config withAccessTokenTtl(Duration ttl) {
        return new Config(port, dataDir, databaseUrl, databaseUser, databasePassword, ttl, refreshTokenTtl,
                maxBodyBytes, maxBulkItems, databasePoolSize, webAppUrl, bindAddress, managementPort, httpThreads,
                embeddedSharedBuffers, directReads, fetchBatchSize, fetchBatchStatements, embeddedTcp,
                databaseConnectionTimeout, authLimits, httpBodyTimeout, httpMinBodyRate,
                identifierUniqueness, changeRetention, webhooks, fhirExport);
    }

    /** Serve /metrics, /health and /ready on their own port (0: any free port), off the public one. */
    public Config withManagementPort(Integer port) {
        return new Config(this.port, dataDir, databaseUrl, databaseUser, databasePassword, accessTokenTtl,
                refreshTokenTtl, maxBodyBytes, maxBulkItems, databasePoolSize, webAppUrl, bindAddress, port,
                httpThreads, embeddedSharedBuffers, directReads, fetchBatchSize, fetchBatchStatements, embeddedTcp,
                databaseConnectionTimeout, authLimits, httpBodyTimeout, httpMinBodyRate,
                identifierUniqueness, changeRetention, webhooks, fhirExport);
    }

    /** Whether fetches by id are answered in front of the web framework ({@code OPENPLUS_HTTP_DIRECT_READS}). */
    public Config withDirectReads(boolean direct) {
        return new Config(port, dataDir, databaseUrl, databaseUser, databasePassword, accessTokenTtl,
                refreshTokenTtl, maxBodyBytes, maxBulkItems, databasePoolSize, webAppUrl, bindAddress, managementPort,
                httpThreads, embeddedSharedBuffers, direct, fetchBatchSize, fetchBatchStatements, embeddedTcp,
                databaseConnectionTimeout, authLimits, httpBodyTimeout, httpMinBodyRate,
                identifierUniqueness, changeRetention, webhooks, fhirExport);
    }

    /** Webhook delivery settings of their own (the webhook tests run a server with short intervals). */
    public Config withWebhooks(Webhooks settings) {
        return new Config(port, dataDir, databaseUrl, databaseUser, databasePassword, accessTokenTtl,
                refreshTokenTtl, maxBodyBytes, maxBulkItems, databasePoolSize, webAppUrl, bindAddress, managementPort,
                httpThreads, embeddedSharedBuffers, directReads, fetchBatchSize, fetchBatchStatements, embeddedTcp,
                databaseConnectionTimeout, authLimits, httpBodyTimeout, httpMinBodyRate,
                identifierUniqueness, changeRetention, settings, fhirExport);
    }

    /** Bulk Data export settings of their own (the export tests run a server with workers and short intervals). */
    public Config withFhirExport(FhirExport settings) {
        return new Config(port, dataDir, databaseUrl, databaseUser, databasePassword, accessTokenTtl,
                refreshTokenTtl, maxBodyBytes, maxBulkItems, databasePoolSize, webAppUrl, bindAddress, managementPort,
                httpThreads, embeddedSharedBuffers, directReads, fetchBatchSize, fetchBatchStatements, embeddedTcp,
                databaseConnectionTimeout, authLimits, httpBodyTimeout, httpMinBodyRate,
                identifierUniqueness, changeRetention, webhooks, settings);
    }

    /** Where unique patient identifiers must be unique ({@code OPENPLUS_IDENTIFIER_UNIQUENESS}). */
    public Config withIdentifierUniqueness(IdentifierUniqueness uniqueness) {
        return new Config(port, dataDir, databaseUrl, databaseUser, databasePassword, accessTokenTtl,
                refreshTokenTtl, maxBodyBytes, maxBulkItems, databasePoolSize, webAppUrl, bindAddress, managementPort,
                httpThreads, embeddedSharedBuffers, directReads, fetchBatchSize, fetchBatchStatements, embeddedTcp,
                databaseConnectionTimeout, authLimits, httpBodyTimeout, httpMinBodyRate, uniqueness, changeRetention, webhooks, fhirExport);
    }

    public Config withBindAddress(String address) {
        return new Config(port, dataDir, databaseUrl, databaseUser, databasePassword, accessTokenTtl,
                refreshTokenTtl, maxBodyBytes, maxBulkItems, databasePoolSize, webAppUrl, address, managementPort,
                httpThreads, embeddedSharedBuffers, directReads, fetchBatchSize, fetchBatchStatements, embeddedTcp,
                databaseConnectionTimeout, authLimits, httpBodyTimeout, httpMinBodyRate,
                identifierUniqueness, changeRetention, webhooks, fhirExport);
    }

    /**
     * Request threads: a few per core. More threads than the database pool has connections only queue at the
     * pool and switch contexts; fewer leave a core idle while a request waits on PostgreSQL.
     */
    static int defaultHttpThreads() {
        return Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
    }

    /**
     * The embedded PostgreSQL's buffer cache: an eighth of the machine's memory (PostgreSQL's advice is a
     * quarter for a machine of its own; here the JVM and the operating system's file cache share it), at least
     * PostgreSQL's default of 128 MB and at most 8 GB. That default holds a small part of a large
     * organization's tables (2.2 GB of patients at a million), so random fetches missed it (docs/operations.md).
     */
    static String defaultSharedBuffers() {
        long total = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize();
        long megabytes = Math.max(128, Math.min(8192, total / 8 / (1024 * 1024)));
        return megabytes + "MB";
    }

    /** A size as PostgreSQL reads it: a whole number with kB, MB or GB. */
    private static String memorySize(String name, String value) {
        String trimmed = value.trim();
        if (!trimmed.matches("[1-9][0-9]{0,8}(kB|MB|GB)")) {
            throw new IllegalArgumentException(name + " must be a size such as 512MB or 2GB (kB, MB or GB), got '"
                    + value + "'");
        }
        return trimmed;
    }

    /** Jetty's acceptor and selector threads come out of the same pool, so a handful is the floor. */
    private static int atLeast(int minimum, String name, int value) {
        if (value < minimum) {
            throw new IllegalArgumentException(name + " must be at least " + minimum + ", got " + value);
        }
        return value;
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** A duration written as a whole number and a unit: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 24h}, {@code 2d}. */
    static Duration duration(Map<String, String> env, String name, String fallback) {
        String value = orDefault(blankToNull(env.get(name)), fallback).trim();
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)").matcher(value);
        if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
            throw new IllegalArgumentException(name + " must be a positive duration such as 500ms, 10s, 5m, 24h or 2d,"
                    + " got '" + value + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    private static int intValue(Map<String, String> env, String name, int fallback) {
        String value = blankToNull(env.get(name));
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'");
        }
    }

    private static boolean booleanValue(Map<String, String> env, String name, boolean fallback) {
        String value = blankToNull(env.get(name));
        if (value == null) {
            return fallback;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, got '" + value + "'");
        };
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
