#!/usr/bin/env python3
"""Reduces the Fitbit Plus API v7.78.1 description (Swagger 2.0) to the facts ReferenceConformanceTest checks.

Usage: python3 tools/reference-facts.py PATH/TO/fitbit-plus-api-v7.78.1.swagger.yaml \
           > server/src/test/resources/reference/reference-facts.json

Needs Python 3 and PyYAML. Keeps facts only (methods, paths, status codes, query parameter names, response data
types, and per resource type its attribute names, types, formats, enums, required members, relationship names and
linkage kind); no prose, examples or patterns. The project's tests read only this script's output, never the
reference itself. Differences OpenPlus makes on purpose are in server/src/test/resources/reference/deviations.yaml.
"""
import json
import re
import sys

import yaml

FORMATS = {"dateTime": "date-time", "date-time": "date-time", "ISODate": "date-time", "date": "date"}


def main(path):
    spec = yaml.safe_load(open(path, encoding="utf-8"))
    definitions = spec["definitions"]

    def schema_ref(schema):
        return [step.replace("~1", "/").replace("~0", "~") for step in schema["$ref"].lstrip("#/").split("/")]

    def resolve(schema):
        """The schema with its $ref followed and allOf merged into one object schema."""
        while "$ref" in schema:
            # Some references point inside other schemas (#/definitions/X/properties/attributes).
            target = spec
            for step in schema_ref(schema):
                target = target[step]
            schema = target
        if "allOf" in schema:
            merged = {"type": "object", "properties": dict(schema.get("properties", {})),
                      "required": list(schema.get("required", []))}
            for part in schema["allOf"]:
                part = resolve(part)
                merged["properties"].update(part.get("properties", {}))
                merged["required"] += part.get("required", [])
            return merged
        return schema

    def facts(schema):
        schema = resolve(schema)
        out = {}
        kind = schema.get("type")
        if kind is None and "properties" in schema:
            kind = "object"
        if kind:
            out["type"] = kind
        if schema.get("format") in FORMATS:
            out["format"] = FORMATS[schema["format"]]
        if "enum" in schema:
            out["enum"] = schema["enum"]
        if "properties" in schema:
            out["properties"] = {name: facts(member) for name, member in schema["properties"].items()}
        if schema.get("required"):
            out["required"] = schema["required"]
        if kind == "array" and "items" in schema:
            items = resolve(schema["items"])
            out["items"] = facts(items)
            if "enum" in items:  # the reference puts some arrays' enums on their items
                out["items"]["enum"] = items["enum"]
        return out

    def type_name(definition_name, resource):
        enum = resolve(resource.get("properties", {}).get("type", {})).get("enum")
        if enum:
            return enum[0]
        base = re.sub(r"(Create)?Resource$", "", definition_name)
        base = {"PatientHealthResult": "Result"}.get(base, base)
        return re.sub(r"(?<!^)([A-Z])", r"_\1", base).lower()

    types = {}

    def record(definition_name, resource, requirement_source=None):
        """Adds what this resource schema says about its type (a response's schema first, then requests');
        required members from the requirement source where given (a create request), else the schema's own."""
        resource = resolve(resource)
        name = type_name(definition_name, resource)
        entry = types.setdefault(name, {"attributes": {}, "relationships": {}})
        attributes = resolve(resource.get("properties", {}).get("attributes", {}))
        for attribute, schema in attributes.get("properties", {}).items():
            entry["attributes"].setdefault(attribute, facts(schema))
        relationships = resolve(resource.get("properties", {}).get("relationships", {}))
        for relationship, schema in relationships.get("properties", {}).items():
            data = resolve(resolve(schema).get("properties", {}).get("data", {}))
            entry["relationships"].setdefault(relationship, "to-many" if data.get("type") == "array" else "to-one")
        source = requirement_source or resource
        source_attributes = resolve(source.get("properties", {}).get("attributes", {}))
        source_relationships = resolve(source.get("properties", {}).get("relationships", {}))
        if requirement_source is not None or "required" not in entry:
            # "create": what a create request must carry; "response": what every answer carries.
            entry["requiredIn"] = "create" if requirement_source is not None else "response"
            entry["required"] = source_attributes.get("required", [])
            entry["requiredRelationships"] = source_relationships.get("required", [])
        return name

    def data_of(document_name):
        """(definition name of the resource schema or "" where written inline, its schema, many?) of a document's
        data member; None without one."""
        document = definitions[document_name]
        data = document.get("properties", {}).get("data")
        if data is None:
            return None
        many = data.get("type") == "array"
        resource = data["items"] if many else data
        ref = resource.get("$ref", "")
        return ref.split("/")[-1] if ref.startswith("#/definitions/") and ref.count("/") == 2 else "", resource, many

    operations = {}
    for path, entries in spec["paths"].items():
        for method, operation in entries.items():
            if method == "parameters":
                continue
            entry = {"method": method.upper(), "path": path,
                     "statuses": sorted(operation["responses"].keys())}
            parameters = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
            if parameters:
                entry["parameters"] = parameters
            for status, response in sorted(operation["responses"].items()):
                if not status.startswith("2") or "schema" not in response:
                    continue
                document = response["schema"]["$ref"].split("/")[-1]
                data = data_of(document)
                if data is None:
                    continue
                resource, schema, many = data
                entry["data"] = {"type": record(resource, schema), "many": many}
                included = definitions[document].get("properties", {}).get("included")
                included_type = type_name(included["items"]["$ref"].split("/")[-1], resolve(included["items"])) \
                    if included else ""
                if included_type:  # most documents type their included resources only as "Resource"
                    entry["included"] = [included_type]
            body = next((p for p in operation.get("parameters", []) if p.get("in") == "body"), None)
            if body is not None and entry.get("data") and operation["operationId"] != "createToken":
                # What a create or update request says of its type; a create's requirements are the type's.
                resource, schema, _ = data_of(body["schema"]["$ref"].split("/")[-1])
                record(resource, schema, resolve(schema) if method == "post" else None)
            operations[operation["operationId"]] = entry

    json.dump({"reference": "Fitbit Plus API v7.78.1 (Swagger 2.0), reduced by tools/reference-facts.py",
               "operations": operations, "types": dict(sorted(types.items()))},
              sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
