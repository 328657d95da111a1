package dev.openplus.db;

import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Types;
import java.time.LocalDate;

import org.jooq.Binding;
import org.jooq.BindingGetResultSetContext;
import org.jooq.BindingGetSQLInputContext;
import org.jooq.BindingGetStatementContext;
import org.jooq.BindingRegisterContext;
import org.jooq.BindingSQLContext;
import org.jooq.BindingSetSQLOutputContext;
import org.jooq.BindingSetStatementContext;
import org.jooq.Converter;
import org.jooq.DataType;
import org.jooq.conf.ParamType;
import org.jooq.impl.SQLDataType;

/**
 * A {@code date} column bound and read as {@link LocalDate} through the driver's java.time support. jOOQ's own
 * binding goes through {@link java.sql.Date}, whose calendar is Julian before 1582: once pgjdbc prepares the
 * statement on the server and reads dates in binary, 0200-02-28 comes back as "February 29 of 200" and the read
 * fails. Both PostgreSQL and java.time use the proleptic Gregorian calendar, so nothing shifts this way.
 */
public final class LocalDateBinding implements Binding<LocalDate, LocalDate> {
    private static final Converter<LocalDate, LocalDate> IDENTITY =
            Converter.ofNullable(LocalDate.class, LocalDate.class, date -> date, date -> date);

    /** The data type of every date column. */
    public static final DataType<LocalDate> DATE = SQLDataType.LOCALDATE.asConvertedDataType(new LocalDateBinding());

    private LocalDateBinding() {
    }

    @Override
    public Converter<LocalDate, LocalDate> converter() {
        return IDENTITY;
    }

    @Override
    public void sql(BindingSQLContext<LocalDate> ctx) throws SQLException {
        if (ctx.render().paramType() == ParamType.INLINED) {
            ctx.render().sql(ctx.value() == null ? "NULL::date" : "DATE '" + ctx.value() + "'");
        } else {
            ctx.render().sql(ctx.variable()).sql("::date");
        }
    }

    @Override
    public void register(BindingRegisterContext<LocalDate> ctx) throws SQLException {
        ctx.statement().registerOutParameter(ctx.index(), Types.DATE);
    }

    @Override
    public void set(BindingSetStatementContext<LocalDate> ctx) throws SQLException {
        if (ctx.value() == null) {
            ctx.statement().setNull(ctx.index(), Types.DATE);
        } else {
            ctx.statement().setObject(ctx.index(), ctx.value());
        }
    }

    @Override
    public void set(BindingSetSQLOutputContext<LocalDate> ctx) throws SQLException {
        throw new SQLFeatureNotSupportedException("dates are not written to SQL output streams");
    }

    @Override
    public void get(BindingGetResultSetContext<LocalDate> ctx) throws SQLException {
        ctx.value(ctx.resultSet().getObject(ctx.index(), LocalDate.class));
    }

    @Override
    public void get(BindingGetStatementContext<LocalDate> ctx) throws SQLException {
        ctx.value(ctx.statement().getObject(ctx.index(), LocalDate.class));
    }

    @Override
    public void get(BindingGetSQLInputContext<LocalDate> ctx) throws SQLException {
        throw new SQLFeatureNotSupportedException("dates are not read from SQL input streams");
    }
}
