package dev.openplus.client.model;

/** A resource of the API: every generated type implements it. */
public interface Resource {
    /**
     * The resource's id.
     *
     * @return the id (null in a value built for a create)
     */
    String id();

    /**
     * The resource's type name on the wire ({@code patient}).
     *
     * @return the type name
     */
    String resourceType();
}
