package dev.openplus.jsonapi;

import java.util.List;
import java.util.regex.Pattern;

import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * An id that is not stored but encoded from columns of the type's table (typically a view that combines rows of
 * other tables), and decoded back into them. A type described with one ({@link ResourceType.Builder#derivedId})
 * is read like any other: the engine selects the columns where it would select an id column, encodes the id in
 * Java, and turns every id it is given (a path, an include, a cursor, an id filter) into conditions on the columns,
 * so that fetch by id stays an index lookup and a keyset page an index range on the underlying tables, never a
 * scan that computes ids. The codec promises that ordering rows by its columns orders them by id, so lists and
 * cursors order by the columns. {@link #expression()} computes the same ids in SQL, for the one place that needs
 * them inside a statement: linkage arrays that point at such a type.
 * <p>
 * Types with a derived id are read-only (there is no column to write an id into).
 */
public final class DerivedId {
    private final List<Field<?>> columns;
    private final IdFormat format;
    private final Field<String> expression;
    private final Field<String> owner;
    private final int digits;

    private DerivedId(Field<String> owner, Field<Integer> number, int digits) {
        this.owner = owner;
        this.digits = digits;
        this.columns = List.of(owner, number);
        int prefix = 24 - digits;
        // 24 lowercase hex characters, not ending in `digits` zeros (those are the owners' own ids).
        this.format = new IdFormat(Pattern.compile("[0-9a-f]{" + prefix + "}(?!0{" + digits + "})[0-9a-f]{" + digits + "}"),
                "24 lowercase hex characters");
        this.expression = DSL.field("substr({0}, 1, {1}) || lpad(to_hex({2}), {3}, '0')", SQLDataType.VARCHAR, owner,
                DSL.inline(prefix), number, DSL.inline(digits));
    }

    /**
     * The id of the {@code number}-th item under an owner: the owner's 24-hex id with its last {@code digits} hex
     * characters replaced by the number in as many lowercase hex digits. Owner ids must end in {@code digits}
     * zeros (so an owner and its items never share an id, and ordering by (owner, number) is ordering by id);
     * numbers lie between 1 and 16^digits − 1.
     */
    public static DerivedId ownerAndNumber(Field<String> ownerColumn, Field<Integer> numberColumn, int digits) {
        if (digits < 1 || digits > 7) {
            throw new IllegalArgumentException("a number of 1 to 7 hex digits fits an id and an integer");
        }
        return new DerivedId(ownerColumn, numberColumn, digits);
    }

    /** The largest number {@link #ownerAndNumber} ids with this many digits can hold. */
    public static int maxNumber(int digits) {
        return (1 << (4 * digits)) - 1;
    }

    /** The columns the id is encoded from, in the order that sorts like the ids. */
    public List<Field<?>> columns() {
        return columns;
    }

    /** What the ids look like: the check every id given to the engine passes before it is decoded. */
    public IdFormat format() {
        return format;
    }

    /** The id of a row with these column values (in {@link #columns()} order). */
    public String encode(List<Object> values) {
        String ownerId = (String) values.get(0);
        int number = ((Number) values.get(1)).intValue();
        String zeros = "0".repeat(digits);
        if (ownerId == null || ownerId.length() != 24 || !ownerId.endsWith(zeros) || number < 1
                || number > maxNumber(digits)) {
            // The stored data broke the codec's promise (a check constraint should have prevented it).
            throw new IllegalStateException("cannot derive an id from " + owner.getName() + " " + ownerId
                    + " and number " + number);
        }
        String hex = Integer.toHexString(number);
        return ownerId.substring(0, 24 - digits) + zeros.substring(hex.length()) + hex;
    }

    /** The column values of an id of this kind, or null when the value is not one. */
    public List<Object> decode(String id) {
        if (!format.accepts(id)) {
            return null;
        }
        return List.of(id.substring(0, 24 - digits) + "0".repeat(digits),
                Integer.parseInt(id.substring(24 - digits), 16));
    }

    /** The same encoding as an SQL expression over the columns. */
    public Field<String> expression() {
        return expression;
    }
}
