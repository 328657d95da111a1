package dev.openplus.jsonapi;

/** One key of a {@code sort} parameter. */
public record SortOrder(SortField field, boolean descending) {

    @Override
    public String toString() {
        return (descending ? "-" : "") + field.name();
    }
}
