package dev.openplus.jsonapi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record2;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Reads {@link KeptCount}s: {@code meta.count} of a request that a type's kept count answers, from the ledger
 * ({@code kept_count}, one delta row per write statement and key, see the V10 migration) instead of counting
 * the rows. One statement, like the count it replaces; when a key has gathered more than {@link #FOLD_AT}
 * delta rows the read also folds them into one (one more statement, inside the request's transaction), so a
 * read never sums more than a few dozen index entries however many writes came before.
 */
final class KeptCounts {
    /** A read folds a key's deltas once it finds more rows than this. */
    static final int FOLD_AT = 64;

    private static final Table<?> LEDGER = DSL.table(DSL.name("kept_count"));
    private static final Field<String> COUNTER = DSL.field(DSL.name("kept_count", "counter"), SQLDataType.VARCHAR);
    private static final Field<String> ORGANIZATION = DSL.field(DSL.name("kept_count", "organization_id"),
            SQLDataType.CHAR(24));
    private static final Field<String> KEY = DSL.field(DSL.name("kept_count", "key"), SQLDataType.CHAR(24));
    private static final Field<Long> DELTA = DSL.field(DSL.name("kept_count", "delta"), SQLDataType.BIGINT);

    private static final Table<?> INSTALLED = DSL.table(DSL.name("kept_count_counter"));

    /**
     * Folding replaces a key's delta rows by one row holding their sum. Deleting and inserting in one statement
     * keeps the total whatever runs beside it: a writer's uncommitted deltas are not seen and stay, and a
     * concurrent fold of the same key is skipped rather than waited for (the advisory lock, in its own
     * two-key space).
     */
    private static final String FOLD = "with folding as (select pg_try_advisory_xact_lock(hashtext('kept_count'),"
            + " hashtext(? || '/' || ? || '/' || ?)) as held),"
            + " folded as (delete from kept_count where counter = ? and organization_id = ? and key = ?"
            + " and (select held from folding) returning delta)"
            + " insert into kept_count (counter, organization_id, key, delta)"
            + " select ?, ?, ?, sum(delta) from folded having count(*) > 0";

    /** Counters found installed by this process (each is checked once, on its first read). */
    private final Set<String> installed = ConcurrentHashMap.newKeySet();

    /**
     * The count of a collection request from a kept count, when one of the type's answers it; empty when the
     * request must count its rows. {@code base} is the condition of a sub-collection path: such a list never
     * uses a kept count.
     */
    Optional<Long> count(DSLContext dsl, ResourceType type, Caller caller, CollectionQuery query, Condition base) {
        // DSL.noCondition() is a singleton: the plain collection passes exactly it.
        if (type.keptCounts().isEmpty() || base != DSL.noCondition()) {
            return Optional.empty();
        }
        // An organization filter must name the caller's organization (else 403), which the scope requires anyway.
        Map<FilterDef, Object> filters = new LinkedHashMap<>();
        query.filters().forEach((filter, value) -> {
            if (filter.kind() != FilterKind.ORGANIZATION) {
                filters.put(filter, value);
            }
        });
        for (KeptCount kept : type.keptCounts()) {
            Optional<KeptCount.Source> source = kept.source(caller, filters);
            if (source.isPresent()) {
                requireInstalled(dsl, kept);
                return Optional.of(read(dsl, source.get()));
            }
        }
        return Optional.empty();
    }

    private long read(DSLContext dsl, KeptCount.Source source) {
        if (source instanceof KeptCount.Computed computed) {
            return dsl.select(DSL.function(DSL.name(computed.count().function()), SQLDataType.BIGINT,
                    DSL.val(computed.organizationId(), SQLDataType.CHAR(24)))).fetchOne(0, Long.class);
        }
        if (source instanceof KeptCount.GroupUnion union) {
            KeptCount count = union.count();
            return dsl.select(DSL.countDistinct(count.memberColumn())).from(DSL.table(DSL.name(count.table())))
                    .where(count.organizationColumn().eq(DSL.val(union.organizationId(), SQLDataType.CHAR(24))))
                    .and(count.keyColumn().eq(DSL.any(DSL.val(union.groupIds().toArray(String[]::new),
                            SQLDataType.CHAR(24).array()))))
                    .fetchOne(0, Long.class);
        }
        KeptCount.Kept kept = (KeptCount.Kept) source;
        String counter = kept.count().counter();
        Record2<java.math.BigDecimal, Integer> sum = dsl.select(DSL.sum(DELTA), DSL.count()).from(LEDGER)
                .where(COUNTER.eq(counter)).and(ORGANIZATION.eq(kept.organizationId())).and(KEY.eq(kept.key()))
                .fetchOne();
        long total = sum.value1() == null ? 0 : sum.value1().longValueExact();
        if (sum.value2() > FOLD_AT) {
            dsl.execute(FOLD, counter, kept.organizationId(), kept.key(), counter, kept.organizationId(), kept.key(),
                    counter, kept.organizationId(), kept.key());
        }
        return total;
    }

    /**
     * A count that a type describes but no migration installed would read as 0 for ever: refuse it loudly
     * instead (the check runs once per counter and process).
     */
    private void requireInstalled(DSLContext dsl, KeptCount kept) {
        if (installed.contains(kept.counter())) {
            return;
        }
        if (kept.function() != null) {
            Object present = dsl.fetchValue("select to_regprocedure(? || '(character)') is not null", kept.function());
            if (!Boolean.TRUE.equals(present)) {
                throw new IllegalStateException("kept count " + kept.counter() + " is described but no migration"
                        + " created the function " + kept.function() + "(char(24))");
            }
            installed.add(kept.counter());
            return;
        }
        boolean present = dsl.fetchExists(INSTALLED, DSL.field(DSL.name("counter")).eq(kept.counter())
                .and(DSL.field(DSL.name("counted_table")).eq(kept.table()))
                .and(DSL.field(DSL.name("organization_column")).eq(kept.organizationColumnName()))
                .and(DSL.field(DSL.name("key_column")).eq(kept.keyColumnName())));
        if (!present) {
            throw new IllegalStateException("kept count " + kept.counter() + " is described but not installed:"
                    + " a migration must call kept_count_install('" + kept.table() + "', '"
                    + kept.organizationColumnName() + "', '" + kept.keyColumnName() + "')");
        }
        installed.add(kept.counter());
    }
}
