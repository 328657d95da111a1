package dev.openplus.engine;

import java.util.List;
import java.util.Objects;

import org.jooq.Field;
import org.jooq.impl.SQLDataType;

import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.AttributeType;
import dev.openplus.jsonapi.DerivedId;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.Operations;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;
import dev.openplus.jsonapi.SortField;
import dev.openplus.jsonapi.TenantScope;

/**
 * Test-only types with a {@link DerivedId}: shelves (stored, ids ending in 0000) and their slots, which are not
 * stored. Every shelf has the same slot numbers, chosen to cross hex digit boundaries (9/10, 15/16, 255/256,
 * 4095/4096) up to the largest four hex digits hold, so that the order by (shelf, number) and the order of the
 * derived ids must agree for the tests to pass.
 */
public final class ProbeShelfResource {
    static final List<Integer> SLOT_NUMBERS = List.of(1, 2, 9, 10, 15, 16, 255, 256, 4095, 4096, 65535);

    static final String DDL = """
            create table if not exists engine_shelf (
                id              char(24)    primary key check (id ~ '^[0-9a-f]{20}0000$'),
                organization_id char(24)    not null references organization (id),
                name            text        not null
            );
            create or replace view engine_shelf_slot as
            select s.id as shelf_id, n.number as slot_number, s.organization_id,
                   s.name || ' #' || n.number as label
            from engine_shelf s
            cross join (values %s) as n (number);
            """.formatted(String.join(", ", SLOT_NUMBERS.stream().map(n -> "(" + n + ")").toList()));

    static final ResourceType SHELF;
    static final ResourceType SLOT;

    static {
        ResourceType.Builder slot = ResourceType.builder("probe_shelf_slot", "engine_shelf_slot");
        Field<String> slotOrganization = slot.column("organization_id", SQLDataType.CHAR(24));
        Field<String> shelfOfSlot = slot.column("shelf_id", SQLDataType.CHAR(24));
        Field<String> label = slot.column("label", SQLDataType.VARCHAR);
        DerivedId slotIds = DerivedId.ownerAndNumber(shelfOfSlot, slot.column("slot_number", SQLDataType.INTEGER), 4);
        SLOT = slot
                .derivedId(slotIds)
                .attribute(Attribute.of("label", label, Shape.string()).notNull().asReadOnly())
                .relationship(Relationship.toOne("shelf", "probe_shelf", shelfOfSlot))
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION,
                        organization -> slotOrganization.eq((String) organization)))
                .filter(new FilterDef("shelf", FilterKind.ID_LIST, ids -> shelfOfSlot.in((List<?>) ids))
                        .idsOf("probe_shelf"))
                .sort(new SortField("label", label, AttributeType.STRING, false))
                .requireOneOf("organization", "shelf")
                .scope(caller -> TenantScope.sameOrganization(slotOrganization, caller))
                .build();

        ResourceType.Builder shelf = ResourceType.builder("probe_shelf", "engine_shelf");
        Field<String> organization = shelf.column("organization_id", SQLDataType.CHAR(24));
        Field<String> id = shelf.id();
        SHELF = shelf
                .attribute(Attribute.of("name", shelf.column("name", SQLDataType.VARCHAR), Shape.string()).notNull()
                        .asReadOnly())
                .relationship(Relationship.toManyInverse("slots", "probe_shelf_slot", shelfOfSlot))
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION,
                        value -> organization.eq((String) value)))
                // The shelves holding these slots: an id filter over a type with derived ids.
                .filter(new FilterDef("slot", FilterKind.ID_LIST, ids -> id.in(((List<?>) ids).stream()
                        .map(slotId -> slotIds.decode((String) slotId)).filter(Objects::nonNull)
                        .map(values -> values.get(0)).toList()))
                        .idsOf("probe_shelf_slot"))
                .requireOneOf("organization")
                .scope(caller -> TenantScope.sameOrganization(organization, caller))
                .build();
    }

    private ProbeShelfResource() {
    }

    static void operations(Operations operations) {
        operations.list(SHELF, "fetchProbeShelves").asExtension()
                .fetch(SHELF, "fetchProbeShelf").asExtension()
                .list(SLOT, "fetchProbeShelfSlots").asExtension()
                .fetch(SLOT, "fetchProbeShelfSlot").asExtension();
    }
}
