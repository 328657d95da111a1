package dev.openplus.client;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.client.internal.Values;
import dev.openplus.client.model.Change;

/**
 * The change feed ({@code GET /pub/change}) of one query: every committed change of the client's scope, exactly once
 * and in commit order per resource, page after page ({@code client.changes(query)}).
 *
 * <pre>{@code
 * ChangeFeed feed = client.changes(Query.organization(org).include("resource"));
 * for (ChangePage page : feed.follow(store.cursor())) {      // null: from the feed's beginning
 *     for (Change change : page.changes()) {
 *         switch (change.action()) {
 *             case CREATED, UPDATED -> page.resource(change).ifPresent(r -> store.put(r, change.version()));
 *             case DELETED, REMOVED -> store.remove(change.resourceId());
 *             default -> { }                                    // UNKNOWN: an action of a newer server
 *         }
 *     }
 *     store.saveCursor(page.next());                          // after the page is applied
 * }
 * }</pre>
 *
 * <p>A cursor older than the server's retention fails with {@link ChangeCursorExpiredException}: copy the lists
 * again and follow from a new cursor (docs/api.md, "Sync recipe").
 */
public final class ChangeFeed {
    private static final String PATH = "/pub/change";
    private final Transport transport;
    private final Query query;

    ChangeFeed(Transport transport, Query query) {
        this.transport = transport;
        this.query = Objects.requireNonNull(query, "query");
    }

    /**
     * One page after a cursor.
     *
     * @param cursor a {@link ChangePage#next()} stored before, or null for the feed's beginning (its oldest change
     *               kept)
     * @return the page, possibly empty (its {@code next} is then the cursor to poll)
     * @throws ChangeCursorExpiredException when the changes after the cursor were pruned
     */
    public ChangePage page(String cursor) {
        Query paged = cursor == null ? query : query.parameter("page[after]", cursor);
        JsonNode document = transport.send("GET", PATH + paged.encode(true), null);
        Included included = new Included();
        included.add(document);
        List<Change> changes = new ArrayList<>();
        document.path("data").forEach(change -> changes.add(Change.KIND.read(change)));
        String next = cursorOf(Values.string(document.path("links").get("next")));
        if (next == null) {
            // The feed always gives links.next; without one, staying at this page's start never skips a change.
            throw new IllegalStateException("GET " + PATH + " answered no links.next cursor");
        }
        return new ChangePage(changes, next, included);
    }

    /**
     * The pages after a cursor, up to the newest change: iteration stops at the first empty page (which it does not
     * yield). Run it again from the last page's {@link ChangePage#next()} to read what changed since. Each page is
     * requested when the iteration reaches it.
     *
     * @param cursor a stored {@link ChangePage#next()}, or null for the feed's beginning
     * @return the pages, each with changes
     */
    public Iterable<ChangePage> follow(String cursor) {
        return () -> new Pages(cursor, null);
    }

    /**
     * The pages after a cursor, without end: at the newest change it waits and asks again, so the iteration goes on
     * until the caller stops it (or the thread is interrupted: {@link IllegalStateException} with the interrupt
     * flag set).
     *
     * @param cursor a stored {@link ChangePage#next()}, or null for the feed's beginning
     * @param wait   how long to wait after an empty page before asking again
     * @return the pages, each with changes
     */
    public Iterable<ChangePage> poll(String cursor, Duration wait) {
        Objects.requireNonNull(wait, "wait");
        return () -> new Pages(cursor, wait);
    }

    /** The {@code page[after]} value of a {@code links.next} link. */
    static String cursorOf(String link) {
        if (link == null) {
            return null;
        }
        int start = link.indexOf('?');
        if (start < 0) {
            return null;
        }
        for (String parameter : link.substring(start + 1).split("&")) {
            int equals = parameter.indexOf('=');
            if (equals < 0) {
                continue;
            }
            String name = URLDecoder.decode(parameter.substring(0, equals), StandardCharsets.UTF_8);
            if (name.equals("page[after]") || name.equals("page[cursor]")) {
                return URLDecoder.decode(parameter.substring(equals + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** Pages from a cursor; {@code wait} null: stop at an empty page, otherwise wait that long and ask again. */
    private final class Pages implements Iterator<ChangePage> {
        private String cursor;
        private final Duration wait;
        private ChangePage ready;
        private boolean ended;

        Pages(String cursor, Duration wait) {
            this.cursor = cursor;
            this.wait = wait;
        }

        @Override
        public boolean hasNext() {
            while (ready == null && !ended) {
                ChangePage page = page(cursor);
                cursor = page.next();
                if (!page.changes().isEmpty()) {
                    ready = page;
                } else if (wait == null) {
                    ended = true;
                } else {
                    sleep(wait);
                }
            }
            return ready != null;
        }

        @Override
        public ChangePage next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ChangePage page = ready;
            ready = null;
            return page;
        }
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while polling the change feed", e);
        }
    }
}
