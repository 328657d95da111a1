package dev.openplus.auth;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;


/** API clients: created and revoked by the admin CLI, looked up when a token is requested. */
public final class ClientRepository {
    public static final String REVOCATION_CHANNEL = "openplus_revocation";

    static final Table<?> CLIENT = DSL.table(DSL.name("api_client"));
    static final Field<String> CLIENT_ID = DSL.field(DSL.name("api_client", "client_id"), SQLDataType.VARCHAR);
    static final Field<String> ORGANIZATION_ID = DSL.field(DSL.name("api_client", "organization_id"), SQLDataType.CHAR(24));
    static final Field<String> SECRET_HASH = DSL.field(DSL.name("api_client", "secret_hash"), SQLDataType.VARCHAR);
    static final Field<String> SCOPE = DSL.field(DSL.name("api_client", "scope"), SQLDataType.VARCHAR);
    static final Field<OffsetDateTime> CREATED_AT = DSL.field(DSL.name("api_client", "created_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<OffsetDateTime> REVOKED_AT = DSL.field(DSL.name("api_client", "revoked_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    private static final Table<?> CLIENT_GROUP = DSL.table(DSL.name("api_client_group"));
    private static final Field<String> CLIENT_GROUP_CLIENT = DSL.field(DSL.name("api_client_group", "client_id"), SQLDataType.VARCHAR);
    private static final Field<String> CLIENT_GROUP_GROUP = DSL.field(DSL.name("api_client_group", "group_id"), SQLDataType.CHAR(24));
    private static final Field<String[]> GROUPS = DSL.field(DSL.select(DSL.arrayAgg(CLIENT_GROUP_GROUP).orderBy(CLIENT_GROUP_GROUP))
            .from(CLIENT_GROUP).where(CLIENT_GROUP_CLIENT.eq(CLIENT_ID))).coerce(SQLDataType.CHAR(24).array()).as("groups");

    /** A client as stored. */
    public record Client(String clientId, String organizationId, String secretHash, boolean groupScoped,
            Set<String> groupIds, OffsetDateTime createdAt, OffsetDateTime revokedAt) {
        public boolean revoked() {
            return revokedAt != null;
        }
    }

    private static final org.jooq.Table<?> GROUP_TABLE = DSL.table(DSL.name("patient_group"));
    private static final Field<String> GROUP_ID = DSL.field(DSL.name("patient_group", "id"), SQLDataType.CHAR(24));
    private static final Field<String> GROUP_ORGANIZATION = DSL.field(DSL.name("patient_group", "organization_id"),
            SQLDataType.CHAR(24));

    /** A new client's credentials; the secret is shown once and only its hash is stored. */
    public record NewClient(String clientId, String clientSecret) {
    }

    public NewClient create(DSLContext dsl, String organizationId, boolean groupScoped, List<String> groupIds) {
        if (groupScoped && groupIds.isEmpty()) {
            throw new IllegalArgumentException("a group-scoped client needs at least one group");
        }
        if (!groupScoped && !groupIds.isEmpty()) {
            throw new IllegalArgumentException("an organization-scoped client has no group list; use --scope group");
        }
        // Client groups reference patient_group rows; auth checks them at the table, not through the group feature.
        List<String> known = groupIds.isEmpty() ? List.of() : dsl.select(GROUP_ID).from(GROUP_TABLE)
                .where(GROUP_ID.in(groupIds)).and(GROUP_ORGANIZATION.eq(organizationId)).fetch(GROUP_ID);
        if (known.size() != Set.copyOf(groupIds).size()) {
            throw new IllegalArgumentException("every group must belong to organization " + organizationId);
        }
        String clientId = UUID.randomUUID().toString();
        String secret = Secrets.newToken();
        dsl.insertInto(CLIENT).set(CLIENT_ID, clientId).set(ORGANIZATION_ID, organizationId)
                .set(SECRET_HASH, Secrets.hashSecret(secret)).set(SCOPE, groupScoped ? "group" : "organization")
                .execute();
        for (String groupId : Set.copyOf(groupIds)) {
            dsl.insertInto(CLIENT_GROUP).set(CLIENT_GROUP_CLIENT, clientId).set(CLIENT_GROUP_GROUP, groupId).execute();
        }
        return new NewClient(clientId, secret);
    }

    public Optional<Client> find(DSLContext dsl, String clientId) {
        return dsl.select(CLIENT_ID, ORGANIZATION_ID, SECRET_HASH, SCOPE, CREATED_AT, REVOKED_AT, GROUPS)
                .from(CLIENT).where(CLIENT_ID.eq(clientId)).fetchOptional(ClientRepository::client);
    }

    public List<Client> list(DSLContext dsl, String organizationId) {
        return dsl.select(CLIENT_ID, ORGANIZATION_ID, SECRET_HASH, SCOPE, CREATED_AT, REVOKED_AT, GROUPS)
                .from(CLIENT).where(ORGANIZATION_ID.eq(organizationId)).orderBy(CREATED_AT, CLIENT_ID)
                .fetch(ClientRepository::client);
    }

    /**
     * Revokes a client and every token it holds, and tells every running server (LISTEN/NOTIFY) so that
     * cached tokens stop working at once. Returns false when there is no such client.
     */
    public boolean revoke(DSLContext dsl, String clientId) {
        int updated = dsl.update(CLIENT).set(REVOKED_AT, DSL.currentOffsetDateTime())
                .where(CLIENT_ID.eq(clientId)).and(REVOKED_AT.isNull()).execute();
        boolean exists = updated > 0 || dsl.fetchExists(CLIENT, CLIENT_ID.eq(clientId));
        if (exists) {
            TokenRepository.revokeClientTokens(dsl, clientId);
            dsl.execute("select pg_notify({0}, {1})", DSL.inline(REVOCATION_CHANNEL), DSL.val("client:" + clientId));
        }
        return exists;
    }

    private static final Field<Boolean> DEMO = DSL.field(DSL.name("api_client", "demo"), SQLDataType.BOOLEAN);

    /** A new organization-scoped client marked as the organization's demo client (serve --demo). */
    public NewClient createDemo(DSLContext dsl, String organizationId) {
        NewClient client = create(dsl, organizationId, false, List.of());
        dsl.update(CLIENT).set(DEMO, true).where(CLIENT_ID.eq(client.clientId())).execute();
        return client;
    }

    /** The organization's active demo client, if it has one (at most one is active: V16). */
    public Optional<String> activeDemoClient(DSLContext dsl, String organizationId) {
        return dsl.select(CLIENT_ID).from(CLIENT).where(ORGANIZATION_ID.eq(organizationId)).and(DEMO.isTrue())
                .and(REVOKED_AT.isNull()).fetchOptional(CLIENT_ID);
    }

    private static Client client(Record record) {
        String[] groups = (String[]) record.get("groups");
        return new Client(record.get(CLIENT_ID), record.get(ORGANIZATION_ID), record.get(SECRET_HASH),
                "group".equals(record.get(SCOPE)), groups == null ? Set.of() : Set.of(groups),
                record.get(CREATED_AT), record.get(REVOKED_AT));
    }
}
