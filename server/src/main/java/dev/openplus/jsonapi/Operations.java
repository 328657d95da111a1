package dev.openplus.jsonapi;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the API's operation list: generic operations of described types get the engine's handlers and the
 * path {@code /pub/<type>[/{id}]}; custom ones bring their own. The same list is routed and documented.
 */
public final class Operations {
    private final ResourceEndpoints resources;
    private final ResourceWriter writer;
    private final List<Operation> operations = new ArrayList<>();

    public Operations(ResourceEndpoints resources, ResourceWriter writer) {
        this.resources = resources;
        this.writer = writer;
    }

    public Operations fetch(ResourceType type, String operationId) {
        return add(new Operation("GET", item(type), operationId, Operation.Kind.FETCH, type, 200, false,
                exchange -> resources.fetch(exchange, type, exchange.pathParam("id"))));
    }

    public Operations list(ResourceType type, String operationId) {
        return add(new Operation("GET", collection(type), operationId, Operation.Kind.LIST, type, 200, false,
                exchange -> resources.collection(exchange, type)));
    }

    public Operations create(ResourceType type, String operationId, int status) {
        return add(new Operation("POST", collection(type), operationId, Operation.Kind.CREATE, type, status, false,
                exchange -> writer.create(exchange, type, status)));
    }

    public Operations update(ResourceType type, String operationId, int status) {
        return add(new Operation("PATCH", item(type), operationId, Operation.Kind.UPDATE, type, status, false,
                exchange -> writer.update(exchange, type, exchange.pathParam("id"), status)));
    }

    public Operations delete(ResourceType type, String operationId) {
        if (!type.deletable()) {
            throw new IllegalStateException(type.name() + " is not described as deletable");
        }
        return add(new Operation("DELETE", item(type), operationId, Operation.Kind.DELETE, type, 200, false,
                exchange -> writer.delete(exchange, type, exchange.pathParam("id"))));
    }

    /** A collection of {@code type} below another resource; the handler restricts it. */
    public Operations subList(String path, ResourceType type, String operationId, Operation.Handler handler) {
        return add(new Operation("GET", path, operationId, Operation.Kind.SUB_LIST, type, 200, false, handler));
    }

    public Operations custom(String method, String path, String operationId, Operation.Handler handler) {
        return add(new Operation(method, path, operationId, Operation.Kind.CUSTOM, null, 0, false, handler));
    }

    /** Marks the operation added last as going beyond the Fitbit Plus API. */
    public Operations asExtension() {
        Operation last = operations.remove(operations.size() - 1);
        return add(new Operation(last.method(), last.path(), last.operationId(), last.kind(), last.type(),
                last.successStatus(), true, last.handler()));
    }

    public List<Operation> all() {
        return List.copyOf(operations);
    }

    private Operations add(Operation operation) {
        if (operations.stream().anyMatch(o -> o.operationId().equals(operation.operationId())
                || o.method().equals(operation.method()) && o.path().equals(operation.path()))) {
            throw new IllegalStateException("operation " + operation.operationId() + " is declared twice");
        }
        operations.add(operation);
        return this;
    }

    private static String collection(ResourceType type) {
        return "/pub/" + type.name();
    }

    private static String item(ResourceType type) {
        return "/pub/" + type.name() + "/{id}";
    }
}
