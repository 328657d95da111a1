package dev.openplus.client;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.client.internal.Values;
import dev.openplus.client.model.Id;
import dev.openplus.client.model.Resource;
import dev.openplus.client.model.ResourceKind;

/**
 * The resources of a list, fetched page by page as they are iterated (cursor paging: {@code page[limit]}, then
 * each page's {@code links.next} until there is none), so that a list of any length costs one page of memory.
 * Iterating again starts again from the first page. The resources a query included are kept as pages arrive and
 * resolved by {@link #included(Id)}.
 *
 * @param <T> the listed type
 */
public final class Results<T extends Resource> implements Iterable<T> {
    private final Transport transport;
    private final ResourceKind<T> kind;
    private final String firstPath;
    private final Included included = new Included();
    private volatile JsonNode firstPage;

    Results(Transport transport, ResourceKind<T> kind, String firstPath) {
        this.transport = transport;
        this.kind = kind;
        this.firstPath = firstPath;
    }

    private JsonNode firstPage() {
        JsonNode page = firstPage;
        if (page == null) {
            page = fetch(firstPath);
            firstPage = page;
        }
        return page;
    }

    private JsonNode fetch(String path) {
        JsonNode page = transport.send("GET", path, null);
        included.add(page);
        return page;
    }

    /**
     * The total the server counts for the query ({@code meta.count} of the first page): a sync job compares it
     * with what it read.
     *
     * @return the number of matching resources
     */
    public long count() {
        return firstPage().path("meta").path("count").asLong();
    }

    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private JsonNode page = firstPage();
            private int index;

            @Override
            public boolean hasNext() {
                while (index >= page.path("data").size()) {
                    String next = Values.string(page.path("links").get("next"));
                    if (next == null) {
                        return false;
                    }
                    page = fetch(next);
                    index = 0;
                }
                return true;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return kind.read(page.path("data").get(index++));
            }
        };
    }

    /**
     * The resources as a sequential stream, fetched lazily.
     *
     * @return the stream
     */
    public Stream<T> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED
                | Spliterator.NONNULL), false);
    }

    /**
     * All resources in a list (for small results; iterate large ones).
     *
     * @return every resource, in the server's order
     */
    public List<T> toList() {
        List<T> all = new ArrayList<>();
        forEach(all::add);
        return all;
    }

    /**
     * An included resource (asked with {@link Query#include}) from the pages fetched so far: those of the
     * resources already iterated.
     *
     * @param <R> the related type
     * @param id  the relationship's id, e.g. {@code patient.groups().get(0)}
     * @return the resource, or empty when it was not included (not asked, or outside the client's scope) or is of
     *         a type this client does not know
     */
    public <R extends Resource> Optional<R> included(Id<R> id) {
        return included.get(id);
    }

    /**
     * The included resources of a to-many relationship, in its order (those not included are left out).
     *
     * @param <R> the related type
     * @param ids the relationship's ids, e.g. {@code patient.groups()}
     * @return the resources
     */
    public <R extends Resource> List<R> included(List<Id<R>> ids) {
        List<R> resources = new ArrayList<>();
        if (ids != null) {
            for (Id<R> id : ids) {
                included(id).ifPresent(resources::add);
            }
        }
        return resources;
    }
}
