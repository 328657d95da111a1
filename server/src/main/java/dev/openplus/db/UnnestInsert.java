package dev.openplus.db;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import org.jooq.DSLContext;

/**
 * Many rows in one statement with one bind value per column: {@code INSERT ... SELECT FROM unnest(?, ?, ...)}.
 * A multi-row VALUES list would bind rows × columns values, which jOOQ renders slowly and PostgreSQL caps at
 * 32 767; arrays keep a 1000-row bulk create at a handful of binds and a constant number of statements.
 */
public final class UnnestInsert {
    /** A column: its name, the PostgreSQL element type the array is bound as, and an optional cast. */
    public record Column(String name, String arrayType, String cast) {
        public static Column of(String name, String arrayType) {
            return new Column(name, arrayType, null);
        }

        public static Column jsonb(String name) {
            return new Column(name, "text", "jsonb");
        }
    }

    private UnnestInsert() {
    }

    /** Inserts the rows; {@code suffix} (e.g. an ON CONFLICT ... RETURNING clause) is appended verbatim. */
    public static List<String> insert(DSLContext dsl, String table, List<Column> columns, List<Object[]> rows,
            String suffix, String returningColumn) {
        if (rows.isEmpty()) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder("insert into ").append(quote(table)).append(" (");
        StringBuilder select = new StringBuilder(" select ");
        StringBuilder unnest = new StringBuilder(" from unnest(");
        StringBuilder alias = new StringBuilder(") as u(");
        for (int i = 0; i < columns.size(); i++) {
            Column column = columns.get(i);
            String separator = i == 0 ? "" : ", ";
            sql.append(separator).append(quote(column.name()));
            select.append(separator).append("u.").append(quote(column.name()));
            if (column.cast() != null) {
                select.append("::").append(column.cast());
            }
            unnest.append(separator).append("?::").append(column.arrayType()).append("[]");
            alias.append(separator).append(quote(column.name()));
        }
        sql.append(")").append(select).append(unnest).append(alias).append(")");
        if (suffix != null) {
            sql.append(' ').append(suffix);
        }
        return dsl.connectionResult(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
                for (int c = 0; c < columns.size(); c++) {
                    Object[] values = new Object[rows.size()];
                    for (int r = 0; r < rows.size(); r++) {
                        Object value = rows.get(r)[c];
                        values[r] = value == null || value instanceof Boolean || value instanceof Integer ? value
                                : value.toString();
                    }
                    statement.setArray(c + 1, array(connection, columns.get(c).arrayType(), values));
                }
                if (returningColumn == null) {
                    statement.executeUpdate();
                    return List.of();
                }
                List<String> returned = new ArrayList<>();
                try (ResultSet resultSet = statement.executeQuery()) {
                    while (resultSet.next()) {
                        returned.add(resultSet.getString(returningColumn));
                    }
                }
                return returned;
            }
        });
    }

    private static Array array(Connection connection, String type, Object[] values) throws java.sql.SQLException {
        return connection.createArrayOf(type, values);
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
