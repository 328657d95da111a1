package dev.openplus.jsonapi;

/** The paging a collection request asked for (DESIGN §4: skip paging by default, cursor paging by page[limit]). */
public sealed interface Page {

    /** The number of rows asked for; 0 asks for the count only. */
    int size();

    record Skip(int number, int size) implements Page {
        public long offset() {
            return (long) (number - 1) * size;
        }
    }

    /** {@code after} is null on the first page. */
    record Cursor(int limit, CursorPosition after) implements Page {
        @Override
        public int size() {
            return limit;
        }
    }
}
