package dev.openplus.fhir;

import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.hl7.fhir.r4.model.Resource;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ca.uhn.fhir.parser.IParser;
import dev.openplus.config.Config;
import dev.openplus.db.Database;
import dev.openplus.db.Ids;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.CursorPosition;
import dev.openplus.jsonapi.ResourceEndpoints;
import dev.openplus.jsonapi.ResourceRepository;
import dev.openplus.jsonapi.ResourceRow;

/**
 * The threads that write Bulk Data exports on this server ({@code OPENPLUS_FHIR_EXPORT_THREADS}) and the periodic
 * removal of expired ones. A worker claims a job (queued, or running under a lease that ran out because its server
 * stopped), walks each type's rows in the job's scope in keyset pages of {@link #PAGE} through the type's batch
 * mapping, and writes one ndjson line per resource into a {@code .part} file; a finished file is forced to disk,
 * renamed and recorded together with where the next one starts. Memory stays that of one page whatever the
 * export's size, and an interrupted job resumes after its last finished file.
 */
public final class ExportWorkers implements AutoCloseable {
    static final int PAGE = 1000;
    /** How long a claim holds without renewal (each page renews it): a stopped server's job is resumed after it. */
    static final Duration LEASE = Duration.ofSeconds(30);
    /** Claims of one job; the next claim fails it (a job that keeps stopping its server must not run forever). */
    static final int MAX_ATTEMPTS = 3;
    static final String MEDIA_TYPE = "application/fhir+ndjson";
    private static final Logger LOG = LoggerFactory.getLogger(ExportWorkers.class);

    private final Database database;
    private final ResourceEndpoints resources;
    private final Config.FhirExport settings;
    private final String owner = UUID.randomUUID().toString();
    private final Semaphore wakeUps = new Semaphore(0);
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    private ExportWorkers(Database database, ResourceEndpoints resources, Config.FhirExport settings) {
        this.database = database;
        this.resources = resources;
        this.settings = settings;
    }

    /** The workers and the cleanup of this server (none of either when their setting is 0). */
    public static ExportWorkers start(Database database, ResourceEndpoints resources, Config.FhirExport settings) {
        ExportWorkers workers = new ExportWorkers(database, resources, settings);
        for (int i = 1; i <= settings.threads(); i++) {
            Thread thread = new Thread(workers::work, "openplus-fhir-export-" + i);
            thread.setDaemon(true);
            workers.threads.add(thread);
        }
        if (settings.cleaningUp()) {
            Thread cleanup = new Thread(workers::cleanUpPeriodically, "openplus-fhir-export-cleanup");
            cleanup.setDaemon(true);
            workers.threads.add(cleanup);
        }
        workers.threads.forEach(Thread::start);
        return workers;
    }

    Config.FhirExport settings() {
        return settings;
    }

    /** A job was queued here: an idle worker looks at once rather than at its next poll. */
    void wake() {
        wakeUps.release(Math.max(1, settings.threads()));
    }

    Path directory(String jobId) {
        return settings.directory().resolve(jobId);
    }

    private void work() {
        while (running) {
            boolean claimed = false;
            try {
                claimed = runOne();
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("fhir export: {}", e.toString());
                }
            }
            if (!claimed) {
                try {
                    if (settings.polling()) {
                        wakeUps.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    } else {
                        wakeUps.acquire();
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Claims a job and writes it to its end; false when none was due. */
    boolean runOne() {
        Optional<ExportJobs.Job> claimed = database.transaction(dsl -> ExportJobs.claim(dsl, owner, LEASE));
        if (claimed.isEmpty()) {
            return false;
        }
        ExportJobs.Job job = claimed.get();
        if (job.attempts() > MAX_ATTEMPTS) {
            LOG.warn("fhir export {}: interrupted {} times, marked failed", job.id(), MAX_ATTEMPTS);
            database.transaction(dsl -> {
                ExportJobs.fail(dsl, job.id(), owner, "the export was interrupted " + MAX_ATTEMPTS + " times (its"
                        + " server stopped while writing it); start a new export", settings.ttl());
                return null;
            });
            return true;
        }
        try {
            if (write(job)) {
                database.transaction(dsl -> ExportJobs.complete(dsl, job.id(), owner, settings.ttl()));
            } else {
                // Cancelled (or expired) meanwhile: what was written goes with it.
                if (database.transaction(dsl -> ExportJobs.existing(dsl, List.of(job.id()))).isEmpty()) {
                    removeDirectory(job.id());
                }
            }
        } catch (RuntimeException | IOException e) {
            if (!running) {
                return true; // the server stops: the lease runs out and another claim resumes the job
            }
            LOG.error("fhir export {} failed", job.id(), e);
            database.transaction(dsl -> {
                ExportJobs.fail(dsl, job.id(), owner, "the export failed on the server (export " + job.id()
                        + "; the server's log says why); start a new export", settings.ttl());
                return null;
            });
        }
        return true;
    }

    /** Writes the job from where it stands; false when it stopped being this worker's (cancelled, expired). */
    private boolean write(ExportJobs.Job job) throws IOException {
        Path directory = directory(job.id());
        Files.createDirectories(directory);
        try (Stream<Path> leftovers = Files.list(directory)) {
            // A partial file of an interrupted attempt: its resources are written again from the recorded cursor.
            for (Path part : leftovers.filter(path -> path.toString().endsWith(".part")).toList()) {
                Files.deleteIfExists(part);
            }
        }
        Caller scope = job.scope();
        IParser parser = FhirJson.context().newJsonParser();
        long written = job.written();
        for (int t = job.typeIndex(); t < job.types().size(); t++) {
            FhirType type = FhirTypes.get(job.types().get(t));
            boolean resumed = t == job.typeIndex();
            CursorPosition after = resumed && job.typeAfter() != null ? cursor(type, job.typeAfter()) : null;
            int fileNumber = resumed ? job.fileNumber() : 1;
            Condition since = since(type, job.since());
            OpenFile file = null;
            while (true) {
                CursorPosition from = after;
                List<Resource> page = new ArrayList<>(PAGE);
                List<ResourceRow> rows = database.transaction(dsl -> {
                    List<ResourceRow> read = resources.repository().idPage(dsl, type.source(), scope, since, from, PAGE);
                    page.addAll(type.map(new MappingContext(dsl, scope, resources.repository()), read));
                    return read;
                });
                for (int i = 0; i < rows.size(); i++) {
                    if (file == null) {
                        file = new OpenFile(directory, type.name() + "-" + fileNumber + ".ndjson");
                    }
                    file.write(parser, page.get(i));
                    if (file.count == settings.fileResources()) {
                        String next = ResourceRepository.positionOf(rows.get(i), List.of()).encode();
                        if (!finish(job, file, type, t, next, fileNumber + 1)) {
                            return false;
                        }
                        written += file.count;
                        file = null;
                        fileNumber++;
                    }
                }
                long progress = written + (file == null ? 0 : file.count);
                if (rows.size() < PAGE) {
                    break;
                }
                after = ResourceRepository.positionOf(rows.get(rows.size() - 1), List.of());
                if (!database.transaction(dsl -> ExportJobs.renew(dsl, job.id(), owner, LEASE, progress))) {
                    if (file != null) {
                        file.abandon();
                    }
                    return false;
                }
            }
            // The type's end: its last file (if it has resources beyond the last split), and on to the next type.
            if (!finish(job, file, type, t + 1, null, 1)) {
                return false;
            }
            written += file == null ? 0 : file.count;
        }
        return true;
    }

    /** Closes, forces and renames the file (if any) and records it with where the writing goes on. */
    private boolean finish(ExportJobs.Job job, OpenFile file, FhirType type, int typeIndex, String typeAfter,
            int fileNumber) throws IOException {
        ExportJobs.ExportFile finished = null;
        if (file != null) {
            file.close();
            finished = new ExportJobs.ExportFile(file.name, type.name(), file.count);
        }
        ExportJobs.ExportFile recorded = finished;
        return database.transaction(dsl -> ExportJobs.fileFinished(dsl, job.id(), owner, recorded, typeIndex, typeAfter,
                fileNumber));
    }

    private static CursorPosition cursor(FhirType type, String encoded) {
        return CursorPosition.decode("type_after", encoded, List.of(), "", type.source().idFormat());
    }

    /** {@code _since}: the rows whose last update is at or after it (a type without updated_at: all of them). */
    private static Condition since(FhirType type, OffsetDateTime since) {
        if (since == null) {
            return DSL.noCondition();
        }
        return type.source().attribute("updated_at").map(attribute -> {
            @SuppressWarnings("unchecked")
            Field<OffsetDateTime> column = (Field<OffsetDateTime>) attribute.column();
            return column.ge(since);
        }).orElse(DSL.noCondition());
    }

    /** An ndjson file being written: {@code name.part} until it is finished. */
    private static final class OpenFile {
        final String name;
        final Path target;
        final Path part;
        final FileOutputStream stream;
        final Writer writer;
        long count;

        OpenFile(Path directory, String name) throws IOException {
            this.name = name;
            this.target = directory.resolve(name);
            this.part = directory.resolve(name + ".part");
            this.stream = new FileOutputStream(part.toFile());
            this.writer = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 64 * 1024);
        }

        void write(IParser parser, Resource resource) throws IOException {
            parser.encodeResourceToWriter(resource, writer);
            writer.write('\n');
            count++;
        }

        void close() throws IOException {
            writer.flush();
            stream.getChannel().force(true);
            writer.close();
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }

        void abandon() throws IOException {
            writer.close();
            Files.deleteIfExists(part);
        }
    }

    private void cleanUpPeriodically() {
        while (running) {
            try {
                Thread.sleep(settings.cleanupInterval().toMillis());
                cleanUp();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("fhir export cleanup: {}", e.toString());
                }
            }
        }
    }

    /**
     * Removes the finished jobs past their expiry with their files, and any directory of the export directory named
     * like a job that no longer exists (a cancel or an expiry whose removal a stop interrupted).
     */
    public int cleanUp() {
        List<String> directories = new ArrayList<>();
        if (Files.isDirectory(settings.directory())) {
            // Listed before the jobs are read: a job's directory is made after its row, so a listed directory whose
            // job is not found belongs to no job.
            try (Stream<Path> listed = Files.list(settings.directory())) {
                listed.map(path -> path.getFileName().toString()).filter(Ids::isWellFormed).forEach(directories::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<String> expired = database.transaction(ExportJobs::deleteExpired);
        Set<String> existing = database.transaction(dsl -> ExportJobs.existing(dsl, directories));
        int removed = 0;
        for (String id : expired) {
            removeDirectory(id);
            removed++;
        }
        for (String id : directories) {
            if (!existing.contains(id) && !expired.contains(id)) {
                removeDirectory(id);
            }
        }
        if (removed > 0) {
            LOG.info("fhir export: removed {} expired export(s)", removed);
        }
        return removed;
    }

    void removeDirectory(String jobId) {
        Path directory = directory(jobId);
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warn("fhir export: could not remove {}: {}", directory, e.toString());
        }
    }

    @Override
    public void close() {
        running = false;
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
