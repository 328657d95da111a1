package dev.openplus.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.support.TestServer;

/**
 * The linkage of a to-many relationship reads its join rows by "owner = ? and organization = ?". An index of the
 * join table that leads with the organization and does not follow it with the owner offers the planner an
 * index range over the whole organization for each owner, and it takes it when its statistics underrate the
 * organization (see V11). So on every join table that carries the organization, an index leading with it must
 * have the owner second.
 */
class LinkTableIndexTest {

    @Test
    void noJoinTableIndexLeadsWithTheOrganizationWithoutTheOwnerNext() {
        TestServer server = TestServer.get();
        List<String> checked = new ArrayList<>();
        List<String> traps = new ArrayList<>();
        for (ResourceType type : Application.registry().types()) {
            for (Relationship relationship : type.relationships()) {
                if (relationship.joinTable() == null || relationship.joinOrganization() == null) {
                    continue;
                }
                String table = relationship.joinTable().getName();
                String organization = relationship.joinOrganization().getName();
                String owner = relationship.joinOwner().getName();
                checked.add(table);
                for (var index : server.database.dsl().fetch("""
                        select i.relname as name,
                               (select a.attname from pg_attribute a
                                 where a.attrelid = x.indrelid and a.attnum = x.indkey[0]) as first,
                               (select a.attname from pg_attribute a
                                 where a.attrelid = x.indrelid and a.attnum = x.indkey[1]) as second
                          from pg_index x join pg_class i on i.oid = x.indexrelid
                         where x.indrelid = cast(? as regclass)""", table)) {
                    if (organization.equals(index.get("first", String.class))
                            && !owner.equals(index.get("second", String.class))) {
                        traps.add(table + "." + index.get("name", String.class));
                    }
                }
            }
        }
        assertThat(checked).contains("patient_group_member", "patient_coach");
        assertThat(traps).isEmpty();
    }
}
