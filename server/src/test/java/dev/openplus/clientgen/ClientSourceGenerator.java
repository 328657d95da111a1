package dev.openplus.clientgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.openplus.Application;
import dev.openplus.change.ChangeResource;
import dev.openplus.config.Config;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.Operation;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceRegistry;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;

/**
 * Writes the Java client library's typed resources (module {@code client/}) from the resource descriptions and the
 * operation list the server itself enforces and routes ({@link Application#registry()},
 * {@link Application#describedOperations()}): one record per type, with its enums, nested records, builder and the
 * {@code ResourceKind} the client's generic code reads and writes it through, and the accessor per type. The
 * client module runs it at {@code generate-sources}; its drift test runs it again and compares.
 *
 * <p>It lives in the server's test-jar: a build tool, not part of the running server.
 */
public final class ClientSourceGenerator {
    static final String PACKAGE = "dev.openplus.client.model";
    private static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case",
            "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends",
            "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
            "interface", "long", "native", "new", "package", "private", "protected", "public", "return", "short",
            "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try",
            "void", "volatile", "while", "true", "false", "null", "record", "var", "yield");

    /** Names a record component cannot take: the methods of the client's {@code Resource} interface. */
    private static final Set<String> RESOURCE_METHODS = Set.of("id", "resourceType");

    private final ResourceRegistry registry;
    private final List<ResourceType> types;
    private final List<Operation> operations;
    private final int maxBulkItems;

    /**
     * @param registry     the types with an accessor ({@code client.patients()})
     * @param readOnlyTypes types the client reads through helpers of its own (the change feed's {@code change}):
     *                     a record each, no accessor
     */
    public ClientSourceGenerator(ResourceRegistry registry, List<ResourceType> readOnlyTypes,
            List<Operation> operations, int maxBulkItems) {
        this.registry = registry;
        List<ResourceType> all = new ArrayList<>(registry.types());
        all.addAll(readOnlyTypes);
        this.types = List.copyOf(all);
        this.operations = operations;
        this.maxBulkItems = maxBulkItems;
    }

    /** The generator of this server's types and operations (the default bulk limit). */
    public static ClientSourceGenerator ofServer() {
        ResourceRegistry registry = Application.registry();
        return new ClientSourceGenerator(registry, List.of(ChangeResource.type(registry)),
                Application.describedOperations(), Config.fromMap(Map.of()).maxBulkItems());
    }

    /** Every type that gets a record: the registry's, then the read-only ones. */
    public List<ResourceType> types() {
        return types;
    }

    /** {@code args[0]}: the source root to write into ({@code client/target/generated-sources/openplus}). */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        for (Map.Entry<String, String> file : ofServer().sources().entrySet()) {
            Path path = root.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            byte[] bytes = file.getValue().getBytes(StandardCharsets.UTF_8);
            if (!Files.exists(path) || !java.util.Arrays.equals(Files.readAllBytes(path), bytes)) {
                Files.write(path, bytes);
            }
        }
    }

    /** Every generated source: path below the source root → text. */
    public Map<String, String> sources() {
        Map<String, String> files = new TreeMap<>();
        String dir = PACKAGE.replace('.', '/') + "/";
        for (ResourceType type : types) {
            files.put(dir + className(type.name()) + ".java", new TypeWriter(type).write());
        }
        files.put(dir + "OpenPlusResources.java", accessors());
        return files;
    }

    private EnumSet<Operation.Kind> kinds(ResourceType type) {
        EnumSet<Operation.Kind> kinds = EnumSet.noneOf(Operation.Kind.class);
        for (Operation operation : operations) {
            if (operation.type() == type && operation.kind() != Operation.Kind.SUB_LIST
                    && operation.kind() != Operation.Kind.CUSTOM) {
                kinds.add(operation.kind());
            }
        }
        return kinds;
    }

    private String accessors() {
        StringBuilder out = new StringBuilder();
        out.append("package ").append(PACKAGE).append(";\n\n")
                .append("import java.util.LinkedHashMap;\nimport java.util.List;\nimport java.util.Map;\n")
                .append("import java.util.Optional;\n\n")
                .append("import dev.openplus.client.Endpoint;\n\n")
                .append("/**\n * The resource types of the API, one accessor each (generated from the server's resource "
                        + "descriptions; do not edit).\n */\n")
                .append("public abstract class OpenPlusResources {\n")
                .append("    /** The server's default limit of items in one bulk create. */\n")
                .append("    public static final int DEFAULT_MAX_BULK_ITEMS = ").append(maxBulkItems).append(";\n\n")
                .append("    /** Every type, in the server's order. */\n    public static final List<ResourceKind<?>> KINDS = List.of(")
                .append(String.join(", ", types.stream().map(t -> className(t.name()) + ".KIND").toList()))
                .append(");\n\n")
                .append("    private static final Map<String, ResourceKind<?>> BY_TYPE = new LinkedHashMap<>();\n\n")
                .append("    static {\n        KINDS.forEach(kind -> BY_TYPE.put(kind.type(), kind));\n    }\n\n")
                .append("    /**\n     * A type by its wire name.\n     *\n     * @param type the name, e.g. {@code patient}\n"
                        + "     * @return its kind, or empty for a type this client does not know\n     */\n")
                .append("    public static Optional<ResourceKind<?>> kind(String type) {\n")
                .append("        return Optional.ofNullable(BY_TYPE.get(type));\n    }\n\n")
                .append("    /** For subclasses. */\n    protected OpenPlusResources() {\n    }\n\n")
                .append("    /**\n     * The endpoint of one type.\n     *\n     * @param <T> the type's record\n"
                        + "     * @param kind the type\n     * @return its endpoint\n     */\n")
                .append("    protected abstract <T extends Resource> Endpoint<T> endpoint(ResourceKind<T> kind);\n");
        for (ResourceType type : registry.types()) {
            String cls = className(type.name());
            out.append("\n    /**\n     * {@code /pub/").append(type.name()).append("}: ")
                    .append(kindsText(kinds(type))).append(".\n     *\n     * @return the endpoint of {@link ")
                    .append(cls).append("} resources\n     */\n")
                    .append("    public Endpoint<").append(cls).append("> ").append(plural(camel(type.name())))
                    .append("() {\n        return endpoint(").append(cls).append(".KIND);\n    }\n");
        }
        return out.append("}\n").toString();
    }

    private static String kindsText(EnumSet<Operation.Kind> kinds) {
        List<String> words = new ArrayList<>();
        for (Operation.Kind kind : kinds) {
            words.add(switch (kind) {
                case LIST -> "list";
                case FETCH -> "get";
                case CREATE -> "create";
                case UPDATE -> "update";
                case DELETE -> "delete";
                default -> kind.name();
            });
        }
        return String.join(", ", words);
    }

    /** One resource type's source. */
    private final class TypeWriter {
        private final ResourceType type;
        private final String cls;
        private final StringBuilder nested = new StringBuilder();
        private final List<Component> components = new ArrayList<>();

        /** A record component: its Java name and type, and how it is read and written. */
        private record Component(String javaName, String javaType, String wireName, String read, String doc,
                boolean writable, boolean relationship, Relationship rel) {
        }

        TypeWriter(ResourceType type) {
            this.type = type;
            this.cls = className(type.name());
        }

        String write() {
            components.add(new Component("id", "String", "id", "Values.string(resource.get(\"id\"))",
                    "the resource's id", false, false, null));
            List<String> enclosing = List.of(cls);
            // Relationships keep their plain names; an attribute that would take one (a bundle's read-only
            // "_actions" mirror of its "actions") is suffixed.
            java.util.Set<String> relationshipNames = new java.util.HashSet<>();
            type.relationships().forEach(r -> relationshipNames.add(javaName(r.name())));
            for (Attribute attribute : type.attributes()) {
                String javaName = javaName(attribute.name());
                if (relationshipNames.contains(javaName) || RESOURCE_METHODS.contains(javaName)) {
                    javaName = javaName + "Attribute";
                }
                String javaType = javaType(attribute.shape(), attribute.name(), enclosing, nested, "    ");
                components.add(new Component(javaName, javaType, attribute.name(),
                        reader(attribute.shape(), javaType, "attributes.get(\"" + attribute.name() + "\")"),
                        "{@code " + attribute.name() + "}" + (attribute.readOnly() ? " (read-only)" : "")
                                + (attribute.isExtension() ? " (OpenPlus extension)" : ""),
                        !attribute.readOnly(), false, null));
            }
            for (Relationship relationship : type.relationships()) {
                String target = relationship.isPolymorphic() ? "Resource" : className(relationship.targetType());
                String idType = "Id<" + target + ">";
                String javaType = relationship.toMany() ? "List<" + idType + ">" : idType;
                String node = "relationships.get(\"" + relationship.name() + "\")";
                String read = relationship.toMany() ? "Values.ids(" + node + ")" : "Values.id(" + node + ")";
                String targets = String.join(" or ", relationship.targetTypes().stream()
                        .map(t -> "{@code " + t + "}").toList());
                components.add(new Component(javaName(relationship.name()), javaType, relationship.name(), read,
                        "relationship {@code " + relationship.name() + "}: " + (relationship.toMany() ? "ids of " : "id of ")
                                + targets + (relationship.isWritable() ? "" : " (read-only)"),
                        relationship.isWritable(), true, relationship));
                if (relationship.primaryFlag() != null) {
                    components.add(new Component("primary" + pascal(singular(relationship.name())), idType,
                            relationship.name(), "Values.primary(" + node + ")",
                            "the one of {@code " + relationship.name() + "} marked {@code meta.primary}, or null",
                            relationship.isWritable(), true, relationship));
                }
            }
            EnumSet<Operation.Kind> kinds = kinds(type);

            StringBuilder out = new StringBuilder();
            out.append("package ").append(PACKAGE).append(";\n\n")
                    .append("import java.math.BigDecimal;\nimport java.time.Instant;\nimport java.time.LocalDate;\n")
                    .append("import java.util.LinkedHashMap;\nimport java.util.List;\nimport java.util.Map;\n")
                    .append("import java.util.Set;\n\n")
                    .append("import com.fasterxml.jackson.databind.JsonNode;\n\n")
                    .append("import dev.openplus.client.internal.Values;\n\n");
            out.append("/**\n * A {@code ").append(type.name())
                    .append("} resource, generated from the server's description of the type (do not edit).\n")
                    .append(" * Attributes absent from an answer (sparse fieldsets) are null.\n *\n");
            for (Component component : components) {
                out.append(" * @param ").append(component.javaName()).append(' ').append(component.doc()).append('\n');
            }
            out.append(" */\n@SuppressWarnings(\"unused\")\npublic record ").append(cls).append('(');
            for (int i = 0; i < components.size(); i++) {
                out.append(i == 0 ? "" : ", ").append(components.get(i).javaType()).append(' ')
                        .append(components.get(i).javaName());
            }
            out.append(") implements Resource {\n");
            out.append("    /** The type's name on the wire. */\n    public static final String TYPE = \"")
                    .append(type.name()).append("\";\n\n");
            out.append("    /** How the client reads, writes and calls this type. */\n")
                    .append("    public static final ResourceKind<").append(cls).append("> KIND = new ResourceKind<>(TYPE, ")
                    .append(cls).append(".class, ").append(cls).append("::read, ").append(cls)
                    .append("::attributeValues, ").append(cls).append("::relationshipValues,\n            Set.of(");
            out.append(String.join(", ", kinds.stream().map(k -> "ResourceKind.Operation." + k.name()).toList()))
                    .append("), ").append(type.bulkCreate()).append(",\n            List.of(")
                    .append(String.join(", ", type.attributes().stream().map(a -> quote(a.name())).toList()))
                    .append("),\n            List.of(")
                    .append(String.join(", ", type.relationships().stream().map(r -> quote(r.name())).toList()))
                    .append("));\n\n");
            out.append("    @Override\n    public String resourceType() {\n        return TYPE;\n    }\n\n");
            out.append("    /**\n     * A typed id of this type.\n     *\n     * @param id the id\n"
                    + "     * @return the typed id\n     */\n    public static Id<").append(cls)
                    .append("> ref(String id) {\n        return new Id<>(TYPE, id);\n    }\n\n");
            out.append("    /**\n     * This resource's typed id.\n     *\n     * @return the typed id\n     */\n"
                    + "    public Id<").append(cls).append("> ref() {\n        return ref(id);\n    }\n\n");
            // read
            out.append("    private static ").append(cls).append(" read(JsonNode resource) {\n")
                    .append("        JsonNode attributes = resource.path(\"attributes\");\n")
                    .append("        JsonNode relationships = resource.path(\"relationships\");\n")
                    .append("        return new ").append(cls).append("(");
            for (int i = 0; i < components.size(); i++) {
                out.append(i == 0 ? "" : ",\n                ").append(components.get(i).read());
            }
            out.append(");\n    }\n\n");
            // attribute values
            out.append("    private static Map<String, JsonNode> attributeValues(").append(cls).append(" value) {\n")
                    .append("        Map<String, JsonNode> values = new LinkedHashMap<>();\n");
            for (Component component : components) {
                if (component.writable() && !component.relationship()) {
                    out.append("        values.put(\"").append(component.wireName()).append("\", Values.json(value.")
                            .append(component.javaName()).append("()));\n");
                }
            }
            out.append("        return values;\n    }\n\n");
            out.append("    private static Map<String, JsonNode> relationshipValues(").append(cls).append(" value) {\n")
                    .append("        Map<String, JsonNode> values = new LinkedHashMap<>();\n");
            for (Component component : components) {
                if (component.writable() && component.relationship() && !component.javaName().startsWith("primary")) {
                    Relationship rel = component.rel();
                    String primary = rel.primaryFlag() != null
                            ? "value.primary" + pascal(singular(rel.name())) + "()" : "null";
                    out.append("        values.put(\"").append(component.wireName()).append("\", ")
                            .append(rel.toMany() ? "Values.linkage(value." + component.javaName() + "(), " + primary + ")"
                                    : "Values.linkage(value." + component.javaName() + "())")
                            .append(");\n");
                }
            }
            out.append("        return values;\n    }\n\n");
            // builder
            out.append("    /**\n     * A builder for a new resource (only writable members can be set).\n     *\n"
                    + "     * @return an empty builder\n     */\n    public static Builder builder() {\n"
                    + "        return new Builder();\n    }\n\n");
            out.append("    /**\n     * A builder holding this resource's values, to derive a changed copy (for "
                    + "{@code update(before, after)}).\n     *\n     * @return a builder with this resource's values\n"
                    + "     */\n    public Builder toBuilder() {\n        Builder builder = new Builder();\n");
            for (Component component : components) {
                out.append("        builder.").append(component.javaName()).append(" = ").append(component.javaName())
                        .append(";\n");
            }
            out.append("        return builder;\n    }\n\n");
            out.append("    /** Builds {@link ").append(cls).append("} values. */\n")
                    .append("    public static final class Builder {\n");
            for (Component component : components) {
                out.append("        private ").append(component.javaType()).append(' ').append(component.javaName())
                        .append(";\n");
            }
            out.append("\n        private Builder() {\n        }\n");
            for (Component component : components) {
                if (!component.writable()) {
                    continue;
                }
                out.append("\n        /**\n         * Sets ").append(component.doc()).append(".\n         *\n")
                        .append("         * @param value the value (null: not sent on create)\n")
                        .append("         * @return this builder\n         */\n")
                        .append("        public Builder ").append(component.javaName()).append('(')
                        .append(component.javaType()).append(" value) {\n            this.")
                        .append(component.javaName()).append(" = value;\n            return this;\n        }\n");
            }
            out.append("\n        /**\n         * The value.\n         *\n         * @return a new {@link ").append(cls)
                    .append("}\n         */\n        public ").append(cls).append(" build() {\n            return new ")
                    .append(cls).append('(');
            for (int i = 0; i < components.size(); i++) {
                out.append(i == 0 ? "" : ", ").append(components.get(i).javaName());
            }
            out.append(");\n        }\n    }\n");
            out.append(nested);
            return out.append("}\n").toString();
        }
    }

    /**
     * The Java type of a value of this shape; enums and nested records it needs are appended to {@code nested}
     * (declared inside the enclosing type, named after the member).
     */
    private String javaType(Shape shape, String wireName, List<String> enclosing, StringBuilder nested,
            String indent) {
        return switch (shape.kind()) {
            case STRING -> shape.allowedValues().isEmpty() ? "String"
                    : enumType(shape.allowedValues(), wireName, enclosing, nested, indent);
            case INTEGER -> "Long";
            case NUMBER -> "BigDecimal";
            case BOOLEAN -> "Boolean";
            case TIMESTAMP -> "Instant";
            case DATE -> "LocalDate";
            case ANY -> "JsonNode";
            case OBJECT -> shape.members().isEmpty() || shape.allowsAnyMembers() ? "JsonNode"
                    : recordType(shape, wireName, enclosing, nested, indent);
            case ARRAY -> "List<" + javaType(shape.itemShape(), singular(wireName), enclosing, nested, indent) + ">";
        };
    }

    private String typeName(String wireName, List<String> enclosing) {
        String name = pascal(wireName);
        while (enclosing.contains(name) || name.equals("Builder") || name.equals("Id") || name.equals("Resource")
                || name.equals("ResourceKind") || name.equals("Values") || name.equals("List") || name.equals("Map")) {
            name = name + "Value";
        }
        return name;
    }

    private String enumType(List<String> values, String wireName, List<String> enclosing, StringBuilder nested,
            String indent) {
        String name = typeName(wireName, enclosing);
        String in = indent + "    ";
        nested.append('\n').append(indent).append("/** The values of {@code ").append(wireName)
                .append("}; {@link #UNKNOWN} stands for a value this client does not know. */\n")
                .append(indent).append("public enum ").append(name).append(" implements Values.Wire {\n");
        List<String> constants = new ArrayList<>();
        for (String value : values) {
            String constant = value.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_");
            if (constant.isEmpty() || Character.isDigit(constant.charAt(0))) {
                constant = "V_" + constant;
            }
            while (constants.contains(constant)) {
                constant = constant + "_";
            }
            constants.add(constant);
            nested.append(in).append("/** {@code ").append(value).append("}. */\n").append(in).append(constant)
                    .append("(").append(quote(value)).append("),\n");
        }
        nested.append(in).append("/** A value this client does not know (sent by a newer server). */\n")
                .append(in).append("UNKNOWN(null);\n\n")
                .append(in).append("private final String wire;\n\n")
                .append(in).append(name).append("(String wire) {\n").append(in).append("    this.wire = wire;\n")
                .append(in).append("}\n\n")
                .append(in).append("/**\n").append(in).append(" * The value on the wire.\n").append(in).append(" *\n")
                .append(in).append(" * @return the wire value (null for {@link #UNKNOWN})\n").append(in).append(" */\n")
                .append(in).append("@Override\n").append(in).append("public String wire() {\n")
                .append(in).append("    return wire;\n").append(in).append("}\n\n")
                .append(in).append("/**\n").append(in).append(" * The constant of a wire value.\n").append(in)
                .append(" *\n").append(in).append(" * @param wire the value on the wire, or null\n").append(in)
                .append(" * @return its constant; {@link #UNKNOWN} for a value not known here; null for null\n")
                .append(in).append(" */\n")
                .append(in).append("public static ").append(name).append(" of(String wire) {\n")
                .append(in).append("    if (wire == null) {\n").append(in).append("        return null;\n")
                .append(in).append("    }\n").append(in).append("    for (").append(name).append(" value : values()) {\n")
                .append(in).append("        if (wire.equals(value.wire)) {\n").append(in)
                .append("            return value;\n").append(in).append("        }\n").append(in).append("    }\n")
                .append(in).append("    return UNKNOWN;\n").append(in).append("}\n")
                .append(indent).append("}\n");
        return name;
    }

    private String recordType(Shape shape, String wireName, List<String> enclosing, StringBuilder nested,
            String indent) {
        String name = typeName(wireName, enclosing);
        List<String> inner = new ArrayList<>(enclosing);
        inner.add(name);
        String in = indent + "    ";
        StringBuilder innerNested = new StringBuilder();
        List<String[]> members = new ArrayList<>(); // javaName, javaType, wireName
        // The id the server assigns to each item (an attendee's "_id"): read, and sent back so that an update keeps
        // it (an item sent without its id is a new item with a new id).
        String serverId = shape.serverIdMember();
        if (serverId != null) {
            members.add(new String[] {javaName(serverId), "String", serverId});
        }
        for (Shape.Member member : shape.members()) {
            members.add(new String[] {javaName(member.name()), javaType(member.shape(), member.name(), inner,
                    innerNested, in), member.name()});
        }
        nested.append('\n').append(indent).append("/**\n").append(indent).append(" * A value of {@code ")
                .append(wireName).append("}.\n").append(indent).append(" *\n");
        for (String[] member : members) {
            nested.append(indent).append(" * @param ").append(member[0]).append(" {@code ").append(member[2])
                    .append(member[2].equals(serverId) ? "}: assigned by the server; keep it when sending the item "
                            + "back, null for a new item\n" : "}\n");
        }
        nested.append(indent).append(" */\n").append(indent).append("public record ").append(name).append('(');
        for (int i = 0; i < members.size(); i++) {
            nested.append(i == 0 ? "" : ", ").append(members.get(i)[1]).append(' ').append(members.get(i)[0]);
        }
        nested.append(") implements Values.Wire {\n");
        nested.append(in).append("/**\n").append(in).append(" * Reads a value.\n").append(in).append(" *\n")
                .append(in).append(" * @param node the JSON object\n").append(in).append(" * @return the value\n")
                .append(in).append(" */\n").append(in).append("public static ").append(name)
                .append(" read(JsonNode node) {\n").append(in).append("    return new ").append(name).append('(');
        int i = 0;
        if (serverId != null) {
            nested.append("Values.string(node.get(").append(quote(serverId)).append("))");
            i++;
        }
        for (Shape.Member member : shape.members()) {
            String[] m = members.get(i);
            nested.append(i == 0 ? "" : ", ").append(reader(member.shape(), m[1], "node.get(\"" + m[2] + "\")"));
            i++;
        }
        nested.append(");\n").append(in).append("}\n\n");
        nested.append(in).append("@Override\n").append(in).append("public JsonNode wire() {\n").append(in)
                .append("    Map<String, JsonNode> members = new LinkedHashMap<>();\n");
        for (String[] member : members) {
            nested.append(in).append("    if (").append(member[0]).append(" != null) {\n").append(in)
                    .append("        members.put(\"").append(member[2]).append("\", Values.json(").append(member[0])
                    .append("));\n").append(in).append("    }\n");
        }
        nested.append(in).append("    return Values.object(members);\n").append(in).append("}\n");
        nested.append(innerNested);
        nested.append(indent).append("}\n");
        return name;
    }

    /** The expression that reads a value of this shape (as {@code javaType}) from the JSON node expression. */
    private String reader(Shape shape, String javaType, String node) {
        return switch (shape.kind()) {
            case STRING -> shape.allowedValues().isEmpty() ? "Values.string(" + node + ")"
                    : javaType + ".of(Values.string(" + node + "))";
            case INTEGER -> "Values.integer(" + node + ")";
            case NUMBER -> "Values.decimal(" + node + ")";
            case BOOLEAN -> "Values.bool(" + node + ")";
            case TIMESTAMP -> "Values.instant(" + node + ")";
            case DATE -> "Values.date(" + node + ")";
            case ANY -> "Values.node(" + node + ")";
            case OBJECT -> javaType.equals("JsonNode") ? "Values.node(" + node + ")"
                    : "Values.object(" + node + ", " + javaType + "::read)";
            case ARRAY -> {
                String item = javaType.substring("List<".length(), javaType.length() - 1);
                yield "Values.list(" + node + ", item -> " + reader(shape.itemShape(), item, "item") + ")";
            }
        };
    }

    static String className(String wireName) {
        return pascal(wireName);
    }

    static String pascal(String wireName) {
        StringBuilder out = new StringBuilder();
        for (String part : wireName.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) {
                out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        if (out.isEmpty() || Character.isDigit(out.charAt(0))) {
            out.insert(0, 'V');
        }
        return out.toString();
    }

    static String camel(String wireName) {
        String pascal = pascal(wireName);
        return Character.toLowerCase(pascal.charAt(0)) + pascal.substring(1);
    }

    static String javaName(String wireName) {
        String name = camel(wireName);
        return KEYWORDS.contains(name) || name.equals("ref") || name.equals("toBuilder")
                ? name + "Value" : name;
    }

    static String plural(String name) {
        if (name.endsWith("y") && !name.matches(".*[aeiou]y")) {
            return name.substring(0, name.length() - 1) + "ies";
        }
        if (name.endsWith("s") || name.endsWith("x") || name.endsWith("ch") || name.endsWith("sh")) {
            return name + "es";
        }
        return name + "s";
    }

    static String singular(String name) {
        if (name.endsWith("ies")) {
            return name.substring(0, name.length() - 3) + "y";
        }
        if (name.endsWith("sses") || name.endsWith("ches") || name.endsWith("shes") || name.endsWith("xes")) {
            return name.substring(0, name.length() - 2);
        }
        if (name.endsWith("s") && !name.endsWith("ss")) {
            return name.substring(0, name.length() - 1);
        }
        return name + "_item";
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
