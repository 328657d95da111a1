package dev.openplus.client;

import java.util.List;
import java.util.Optional;

import dev.openplus.client.model.Change;
import dev.openplus.client.model.Resource;

/**
 * One page of the change feed: its changes, oldest first, and the cursor to store once they are applied.
 *
 * @see ChangeFeed
 */
public final class ChangePage {
    private final List<Change> changes;
    private final String next;
    private final Included included;

    ChangePage(List<Change> changes, String next, Included included) {
        this.changes = List.copyOf(changes);
        this.next = next;
        this.included = included;
    }

    /**
     * The page's changes, in feed order.
     *
     * @return the changes (empty when the feed holds nothing newer yet)
     */
    public List<Change> changes() {
        return changes;
    }

    /**
     * The cursor after this page ({@code page[after]} of its {@code links.next}): store it once the page's changes
     * are applied, and give it to {@link ChangeFeed#follow(String)} to continue from here.
     *
     * @return the cursor (never null)
     */
    public String next() {
        return next;
    }

    /**
     * The current state of a change's resource, when the feed's query asked for it ({@code include("resource")}),
     * as its type's record ({@code Patient}, {@code Metric}, ...). It is the resource's state when the page was read,
     * which may be newer than the change: apply it by the change's {@code version}.
     *
     * @param change a change of this page
     * @return the resource; empty for a {@code deleted} or {@code removed} change, when the resource was not
     *         included, or when its type is unknown to this client
     */
    public Optional<Resource> resource(Change change) {
        return included.get(change.resource());
    }

    /**
     * {@link #resource(Change)} as a given type.
     *
     * @param <R>    the type
     * @param change a change of this page
     * @param type   the record class, e.g. {@code Patient.class}
     * @return the resource, empty also when it is of another type
     */
    public <R extends Resource> Optional<R> resource(Change change, Class<R> type) {
        return resource(change).filter(type::isInstance).map(type::cast);
    }

    @Override
    public String toString() {
        return changes.size() + " changes, next " + next;
    }
}
