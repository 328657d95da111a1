package dev.openplus.jsonapi;

/**
 * One operation of the API: its route, its operation id, what it does to which resource type, and the status
 * it answers on success. The web layer routes it, and the OpenAPI document is generated from the same list,
 * so a route cannot exist without being documented. Generic kinds are documented from the type's
 * description; {@link Kind#CUSTOM} operations are documented by hand.
 */
public record Operation(String method, String path, String operationId, Kind kind, ResourceType type,
        int successStatus, boolean extension, Handler handler) {

    public enum Kind {
        /** GET one resource by id. */
        FETCH,
        /** GET a collection with the type's filters (required ones apply). */
        LIST,
        /** GET a collection below another resource ({@code /patient/{id}/groups}): no filter is required. */
        SUB_LIST,
        CREATE,
        UPDATE,
        DELETE,
        /** Anything else; its document entry is written by hand. */
        CUSTOM
    }

    @FunctionalInterface
    public interface Handler {
        void handle(ApiExchange exchange) throws Exception;
    }

    /** True for operations that read no request body. */
    public boolean bodyless() {
        return method.equals("GET") || method.equals("DELETE") || method.equals("HEAD");
    }
}
