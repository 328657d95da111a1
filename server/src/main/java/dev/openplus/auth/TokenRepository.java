package dev.openplus.auth;

import java.time.OffsetDateTime;
import java.util.Optional;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** Issued token pairs, stored only as SHA-256 hashes. */
final class TokenRepository {
    static final Table<?> TOKEN = DSL.table(DSL.name("oauth_token"));
    static final Field<String> ID = DSL.field(DSL.name("oauth_token", "id"), SQLDataType.CHAR(24));
    static final Field<String> CLIENT_ID = DSL.field(DSL.name("oauth_token", "client_id"), SQLDataType.VARCHAR);
    static final Field<String> FAMILY_ID = DSL.field(DSL.name("oauth_token", "family_id"), SQLDataType.CHAR(24));
    static final Field<byte[]> ACCESS_HASH = DSL.field(DSL.name("oauth_token", "access_token_hash"), SQLDataType.BLOB);
    static final Field<byte[]> REFRESH_HASH = DSL.field(DSL.name("oauth_token", "refresh_token_hash"), SQLDataType.BLOB);
    static final Field<OffsetDateTime> ACCESS_EXPIRES_AT = DSL.field(DSL.name("oauth_token", "access_expires_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<OffsetDateTime> REFRESH_EXPIRES_AT = DSL.field(DSL.name("oauth_token", "refresh_expires_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<OffsetDateTime> REFRESHED_AT = DSL.field(DSL.name("oauth_token", "refreshed_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<OffsetDateTime> REVOKED_AT = DSL.field(DSL.name("oauth_token", "revoked_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);

    private TokenRepository() {
    }

    static void insert(DSLContext dsl, String id, String clientId, String familyId, byte[] accessHash,
            byte[] refreshHash, OffsetDateTime accessExpiresAt, OffsetDateTime refreshExpiresAt) {
        dsl.insertInto(TOKEN).set(ID, id).set(CLIENT_ID, clientId).set(FAMILY_ID, familyId)
                .set(ACCESS_HASH, accessHash).set(REFRESH_HASH, refreshHash)
                .set(ACCESS_EXPIRES_AT, accessExpiresAt).set(REFRESH_EXPIRES_AT, refreshExpiresAt).execute();
    }

    /** An access token that is not revoked, with its client (one statement). */
    record ActiveToken(String id, String familyId, OffsetDateTime accessExpiresAt, ClientRepository.Client client) {
    }

    static Optional<ActiveToken> findActive(DSLContext dsl, byte[] accessHash) {
        Field<String[]> groups = DSL.field(DSL.select(DSL.arrayAgg(DSL.field(DSL.name("g", "group_id"), SQLDataType.CHAR(24))))
                .from(DSL.table(DSL.name("api_client_group")).as("g"))
                .where(DSL.field(DSL.name("g", "client_id"), SQLDataType.VARCHAR).eq(ClientRepository.CLIENT_ID)))
                .coerce(SQLDataType.CHAR(24).array()).as("groups");
        Record record = dsl.select(ID, FAMILY_ID, ACCESS_EXPIRES_AT, ClientRepository.CLIENT_ID,
                        ClientRepository.ORGANIZATION_ID, ClientRepository.SCOPE, groups)
                .from(TOKEN).join(ClientRepository.CLIENT).on(ClientRepository.CLIENT_ID.eq(CLIENT_ID))
                .where(ACCESS_HASH.eq(accessHash)).and(REVOKED_AT.isNull())
                .and(ClientRepository.REVOKED_AT.isNull())
                .fetchOne();
        if (record == null) {
            return Optional.empty();
        }
        String[] groupIds = (String[]) record.get("groups");
        ClientRepository.Client client = new ClientRepository.Client(record.get(ClientRepository.CLIENT_ID),
                record.get(ClientRepository.ORGANIZATION_ID), null, "group".equals(record.get(ClientRepository.SCOPE)),
                groupIds == null ? java.util.Set.of() : java.util.Set.of(groupIds), null, null);
        return Optional.of(new ActiveToken(record.get(ID), record.get(FAMILY_ID), record.get(ACCESS_EXPIRES_AT), client));
    }

    /** The token row a refresh token belongs to, locked for the refresh decision. */
    record RefreshCandidate(String id, String clientId, String familyId, OffsetDateTime refreshExpiresAt,
            boolean alreadyUsed, boolean revoked) {
    }

    static Optional<RefreshCandidate> lockByRefreshHash(DSLContext dsl, byte[] refreshHash) {
        return dsl.select(ID, CLIENT_ID, FAMILY_ID, REFRESH_EXPIRES_AT, REFRESHED_AT, REVOKED_AT).from(TOKEN)
                .where(REFRESH_HASH.eq(refreshHash)).forUpdate()
                .fetchOptional(r -> new RefreshCandidate(r.get(ID), r.get(CLIENT_ID), r.get(FAMILY_ID),
                        r.get(REFRESH_EXPIRES_AT), r.get(REFRESHED_AT) != null, r.get(REVOKED_AT) != null));
    }

    static void markRefreshed(DSLContext dsl, String id) {
        dsl.update(TOKEN).set(REFRESHED_AT, DSL.currentOffsetDateTime()).where(ID.eq(id)).execute();
    }

    static void revokeFamily(DSLContext dsl, String familyId) {
        dsl.update(TOKEN).set(REVOKED_AT, DSL.currentOffsetDateTime())
                .where(FAMILY_ID.eq(familyId)).and(REVOKED_AT.isNull()).execute();
        dsl.execute("select pg_notify({0}, {1})", DSL.inline(ClientRepository.REVOCATION_CHANNEL),
                DSL.val("family:" + familyId));
    }

    static void revokeClientTokens(DSLContext dsl, String clientId) {
        dsl.update(TOKEN).set(REVOKED_AT, DSL.currentOffsetDateTime())
                .where(CLIENT_ID.eq(clientId)).and(REVOKED_AT.isNull()).execute();
    }
}
