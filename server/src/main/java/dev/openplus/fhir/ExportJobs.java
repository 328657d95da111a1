package dev.openplus.fhir;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.jsonapi.Caller;

/**
 * The Bulk Data export jobs and their finished files (V19): what a kick-off stores, what a worker claims and records
 * as it writes, what a status request reads. Every statement names the job's organization and client where a
 * client asks, so that another client's job is as absent as one that does not exist.
 */
final class ExportJobs {
    static final String STATUS_QUEUED = "queued";
    static final String STATUS_RUNNING = "running";
    static final String STATUS_COMPLETED = "completed";
    static final String STATUS_FAILED = "failed";

    /** A job's columns as {@link #job} reads them (the arrays as comma-separated text: ids and type names). */
    private static final String COLUMNS = "id, organization_id, client_id, array_to_string(scope_groups, ',') as groups, "
            + "array_to_string(types, ',') as type_names, since, request, transaction_time, status, type_index, "
            + "type_after, file_number, written, attempts, error, expires_at";

    private ExportJobs() {
    }

    /** A job as stored. {@code scopeGroups} null: the whole organization. */
    record Job(String id, String organizationId, String clientId, List<String> scopeGroups, List<String> types,
            OffsetDateTime since, String request, OffsetDateTime transactionTime, String status, int typeIndex,
            String typeAfter, int fileNumber, long written, int attempts, String error, OffsetDateTime expiresAt) {

        /** Whose data the job holds: the scope its client had at kick-off (narrowed to the group of a Group export). */
        Caller scope() {
            return new Scope(organizationId, scopeGroups != null,
                    scopeGroups == null ? Set.of() : new LinkedHashSet<>(scopeGroups), clientId);
        }
    }

    /** The caller an export reads as: the engine's scope rules, with the kick-off's organization and groups. */
    record Scope(String organizationId, boolean groupScoped, Set<String> groupIds, String actorId) implements Caller {
        Scope {
            groupIds = Set.copyOf(groupIds);
        }
    }

    /** A finished file of a job. */
    record ExportFile(String name, String resourceType, long count) {
    }

    /**
     * The manifest's transactionTime, read at kick-off: the start of the oldest transaction still open in this
     * database (this one included, so never later than now). Every write that the export may not see was made by a
     * transaction open at kick-off or started after it; its rows' updated_at is at or after that transaction's
     * start, so an export with {@code _since} = this instant finds them (docs/decisions.md, "FHIR Bulk Data
     * export").
     */
    static OffsetDateTime transactionTime(DSLContext dsl) {
        return dsl.fetchValue(DSL.field("""
                (select least(now(), min(xact_start)) from pg_stat_activity
                  where datname = current_database() and backend_type = 'client backend' and xact_start is not null)""",
                SQLDataType.TIMESTAMPWITHTIMEZONE));
    }

    static void insert(DSLContext dsl, Job job, Duration ttl) {
        dsl.execute("""
                insert into fhir_export_job (id, organization_id, client_id, scope_groups, types, since, request,
                    transaction_time, expires_at)
                values ({0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, now() + {8} * interval '1 millisecond')""",
                DSL.val(job.id()), DSL.val(job.organizationId()), DSL.val(job.clientId()),
                DSL.val(job.scopeGroups() == null ? null : job.scopeGroups().toArray(String[]::new),
                        SQLDataType.CHAR(24).array()),
                DSL.val(job.types().toArray(String[]::new), SQLDataType.CLOB.array()),
                DSL.val(job.since(), SQLDataType.TIMESTAMPWITHTIMEZONE), DSL.val(job.request()),
                DSL.val(job.transactionTime(), SQLDataType.TIMESTAMPWITHTIMEZONE), DSL.val(ttl.toMillis()));
    }

    /** The job, if this client of this organization started it. */
    static Optional<Job> find(DSLContext dsl, String id, Caller caller) {
        return dsl.resultQuery("select " + COLUMNS + " from fhir_export_job"
                + " where id = {0} and organization_id = {1} and client_id = {2}", DSL.val(id),
                DSL.val(caller.organizationId()), DSL.val(caller.actorId())).fetchOptional().map(ExportJobs::job);
    }

    static List<ExportFile> files(DSLContext dsl, String jobId) {
        List<ExportFile> files = new ArrayList<>();
        dsl.resultQuery("select name, resource_type, count from fhir_export_file where job_id = {0} order by ordinal",
                DSL.val(jobId)).fetch().forEach(row -> files.add(
                        new ExportFile(row.get(0, String.class), row.get(1, String.class), row.get(2, Long.class))));
        return files;
    }

    /**
     * Claims the oldest job that is queued or whose owner's lease ran out (that owner stopped): one statement, and
     * {@code skip locked} keeps two workers off one job. The attempt is counted; {@code written} restarts from the
     * finished files (a partial file of an interrupted attempt is written again).
     */
    static Optional<Job> claim(DSLContext dsl, String owner, Duration lease) {
        Record row = dsl.resultQuery("""
                update fhir_export_job j set status = 'running', owner = {0},
                    lease_until = now() + {1} * interval '1 millisecond', attempts = j.attempts + 1,
                    written = (select coalesce(sum(f.count), 0) from fhir_export_file f where f.job_id = j.id)
                 where j.id = (select id from fhir_export_job
                                where status = 'queued' or (status = 'running' and lease_until < now())
                                order by created_at limit 1 for update skip locked)
                returning\s""" + COLUMNS, DSL.val(owner), DSL.val(lease.toMillis()))
                .fetchOne();
        return Optional.ofNullable(row).map(ExportJobs::job);
    }

    /**
     * Extends the owner's lease and records progress; false when the job is no longer this owner's (cancelled,
     * expired, or claimed by another worker after a lease that ran out): the writer then stops.
     */
    static boolean renew(DSLContext dsl, String id, String owner, Duration lease, long written) {
        return dsl.execute("""
                update fhir_export_job set lease_until = now() + {2} * interval '1 millisecond', written = {3}
                 where id = {0} and owner = {1} and status = 'running'""",
                DSL.val(id), DSL.val(owner), DSL.val(lease.toMillis()), DSL.val(written)) == 1;
    }

    /**
     * A finished file and where the writing goes on: the next type (after null) or the same type after the file's
     * last resource. One transaction, so a resumed job never writes a resource twice or skips one.
     */
    static boolean fileFinished(DSLContext dsl, String id, String owner, ExportFile file, int typeIndex,
            String typeAfter, int fileNumber) {
        int updated = dsl.execute("""
                update fhir_export_job set type_index = {2}, type_after = {3}, file_number = {4}
                 where id = {0} and owner = {1} and status = 'running'""",
                DSL.val(id), DSL.val(owner), DSL.val(typeIndex), DSL.val(typeAfter, SQLDataType.CLOB),
                DSL.val(fileNumber));
        if (updated == 0) {
            return false;
        }
        if (file != null) {
            dsl.execute("""
                    insert into fhir_export_file (job_id, name, resource_type, count, ordinal)
                    values ({0}, {1}, {2}, {3}, (select count(*) from fhir_export_file where job_id = {0}))
                    on conflict (job_id, name) do update set count = excluded.count""",
                    DSL.val(id), DSL.val(file.name()), DSL.val(file.resourceType()), DSL.val(file.count()));
        }
        return true;
    }

    static boolean complete(DSLContext dsl, String id, String owner, Duration ttl) {
        return dsl.execute("""
                update fhir_export_job set status = 'completed', owner = null, lease_until = null, finished_at = now(),
                    expires_at = now() + {2} * interval '1 millisecond'
                 where id = {0} and owner = {1} and status = 'running'""",
                DSL.val(id), DSL.val(owner), DSL.val(ttl.toMillis())) == 1;
    }

    /** Marks the job failed (kept until it expires, so that its client learns why). */
    static void fail(DSLContext dsl, String id, String owner, String error, Duration ttl) {
        dsl.execute("""
                update fhir_export_job set status = 'failed', error = {2}, owner = null, lease_until = null,
                    finished_at = now(), expires_at = now() + {3} * interval '1 millisecond'
                 where id = {0} and owner = {1} and status = 'running'""",
                DSL.val(id), DSL.val(owner), DSL.val(error), DSL.val(ttl.toMillis()));
    }

    /** Removes the job of this client (a cancel); false when it has none of this id. */
    static boolean delete(DSLContext dsl, String id, Caller caller) {
        return dsl.execute("delete from fhir_export_job where id = {0} and organization_id = {1} and client_id = {2}",
                DSL.val(id), DSL.val(caller.organizationId()), DSL.val(caller.actorId())) == 1;
    }

    /** Removes the finished jobs past their expiry; their ids, whose files are to be removed. */
    static List<String> deleteExpired(DSLContext dsl) {
        return dsl.resultQuery("""
                delete from fhir_export_job where expires_at < now() and status in ('completed', 'failed')
                returning id""").fetch(0, String.class);
    }

    /** Which of these ids are jobs. */
    static Set<String> existing(DSLContext dsl, List<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return new LinkedHashSet<>(dsl.resultQuery("select id from fhir_export_job where id = any({0})",
                DSL.val(ids.toArray(String[]::new), SQLDataType.CHAR(24).array())).fetch(0, String.class));
    }

    private static Job job(Record row) {
        String groups = row.get("groups", String.class);
        return new Job(row.get("id", String.class), row.get("organization_id", String.class),
                row.get("client_id", String.class), groups == null ? null
                        : groups.isEmpty() ? List.of() : Arrays.asList(groups.split(",")),
                Arrays.asList(row.get("type_names", String.class).split(",")), row.get("since", OffsetDateTime.class), row.get("request", String.class),
                row.get("transaction_time", OffsetDateTime.class), row.get("status", String.class),
                row.get("type_index", Integer.class), row.get("type_after", String.class),
                row.get("file_number", Integer.class), row.get("written", Long.class),
                row.get("attempts", Integer.class), row.get("error", String.class),
                row.get("expires_at", OffsetDateTime.class));
    }
}
