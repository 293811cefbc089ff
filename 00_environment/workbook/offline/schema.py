"""Check a JSON schema once, before any rule fills it: bounded, free of cycles, with sane values.

The rules in `filling.py` walk a schema freely: they follow `$ref`s, fill `minItems` items and pad
strings to `minLength`. That is only safe on a schema that is checked first, so every schema a
request carries (tool parameters, `response_format`, `text.format`) goes through `check_schema`:

- `$ref` must be a local pointer ("#/$defs/x") to an object in the same schema; a reference
  that comes back to itself, directly or through properties or items, is a cycle: rejected.
- at most MAX_DEPTH levels and MAX_NODES nodes, counting a shared definition each time it is used;
- `minItems` at most MAX_MIN_ITEMS, `minLength` at most MAX_MIN_LENGTH, and the smallest value the
  schema allows at most MAX_FILL_CHARS characters;
- counts are non-negative integers, bounds are finite numbers, `enum` and `anyOf` are not empty,
  and a minimum is not above its maximum.

Anything else raises SchemaError naming the place in the schema, which the server answers with a
400: a wrong schema costs milliseconds.
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 32
MAX_NODES = 2_000
MAX_MIN_ITEMS = 100
MAX_MIN_LENGTH = 10_000
MAX_FILL_CHARS = 100_000
MAX_NUMBER = 1e300  # beyond this a bound cannot be turned into a float
TYPES = {"object", "array", "string", "integer", "number", "boolean", "null"}
COUNTS = ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties")
BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
FREE_TEXT = 200  # what an unconstrained string costs: the filler shortens free text to 200 characters


class SchemaError(ValueError):
    """What is wrong, and where in the schema."""

    def __init__(self, problem: str, path: tuple):
        super().__init__(problem)
        self.problem, self.path = problem, path

    def describe(self, param: str) -> str:
        where = f" at '{'.'.join(str(p)[:40] for p in self.path[-6:])}'" if self.path else ""
        return f"Invalid schema for '{param}'{where}: {self.problem}"


def check_schema(schema: Any) -> dict:
    """The schema itself if the rules can fill it safely; else SchemaError."""
    if not isinstance(schema, dict):
        raise SchemaError("a JSON schema must be an object.", ())
    _Walk(schema).node(schema, (), 0, frozenset({id(schema)}))
    return schema


def follow(ref: Any, root: dict) -> dict | None:
    """The object a local `$ref` points at, or None (not a string, not local, nothing there)."""
    if not isinstance(ref, str) or not (ref == "#" or ref.startswith("#/")):
        return None
    node: Any = root
    for part in ref[2:].split("/") if ref != "#" else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node if isinstance(node, dict) else None


class _Walk:
    """One pass over the schema as the filler would see it, with $refs followed."""

    def __init__(self, root: dict):
        self.root, self.nodes = root, 0

    def node(self, schema: Any, path: tuple, depth: int, active: frozenset) -> int:
        """Check one node and everything under it; return the size of its smallest filled value."""
        if not isinstance(schema, dict):
            raise SchemaError("expected a schema object.", path)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SchemaError(f"the schema has more than {MAX_NODES} nodes (counting each use of a "
                              "definition); the offline model fills smaller schemas only.", path)
        if depth > MAX_DEPTH:
            raise SchemaError(f"the schema nests deeper than {MAX_DEPTH} levels.", path)
        self.keywords(schema, path)
        if "$ref" in schema:
            target = follow(schema["$ref"], self.root)
            if target is None:
                raise SchemaError("'$ref' must be a local reference such as '#/$defs/Name' to an object in "
                                  "the same schema.", path + ("$ref",))
            if id(target) in active:
                raise SchemaError("'$ref' leads back to a schema it is part of (a reference cycle); the "
                                  "offline model fills only schemas without cycles.", path + ("$ref",))
            merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
            return self.node(merged, path, depth + 1, active | {id(target)})
        if "const" in schema:
            return 20
        if "enum" in schema:
            return max((len(str(v)) for v in schema["enum"][:50]), default=1)
        sizes = []
        for key in ("anyOf", "oneOf", "allOf"):
            for i, option in enumerate(schema.get(key) or []):
                sizes.append(self.node(option, path + (key, i), depth + 1, active))
        kinds = schema.get("type")
        kinds = set(kinds) if isinstance(kinds, list) else {kinds}
        if "properties" in schema or "object" in kinds:
            size = 2
            for name, sub in (schema.get("properties") or {}).items():
                size += len(str(name)) + 3 + self.node(sub, path + ("properties", name), depth + 1, active)
            sizes.append(size)
        if "items" in schema or "array" in kinds:
            item = self.node(schema.get("items", {}), path + ("items",), depth + 1, active)
            sizes.append(2 + max(schema.get("minItems", 0), 1) * (item + 1))
        sizes.append(max(schema.get("minLength", 0), FREE_TEXT))
        size = max(sizes)
        if size > MAX_FILL_CHARS:
            raise SchemaError(f"the smallest value this schema allows has more than {MAX_FILL_CHARS:,} "
                              "characters; the offline model fills smaller values only.", path)
        return size

    def keywords(self, schema: dict, path: tuple) -> None:
        """The values of the keywords the filler reads."""
        kinds = schema.get("type")
        if kinds is not None:
            listed = kinds if isinstance(kinds, list) else [kinds]
            if not listed or not all(isinstance(k, str) and k in TYPES for k in listed):
                raise SchemaError(f"'type' must be one of {', '.join(sorted(TYPES))}, or a non-empty list of them.",
                                  path + ("type",))
        for key in COUNTS:
            if key in schema:
                value = schema[key]
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise SchemaError(f"'{key}' must be a non-negative integer.", path + (key,))
        for key in BOUNDS:
            if key in schema:
                value = schema[key]
                if not isinstance(value, (int, float)) or isinstance(value, bool) or not -MAX_NUMBER <= value <= MAX_NUMBER:
                    raise SchemaError(f"'{key}' must be a finite number.", path + (key,))
        if schema.get("minItems", 0) > MAX_MIN_ITEMS:
            raise SchemaError(f"'minItems' is at most {MAX_MIN_ITEMS} in the offline model.", path + ("minItems",))
        if schema.get("minLength", 0) > MAX_MIN_LENGTH:
            raise SchemaError(f"'minLength' is at most {MAX_MIN_LENGTH:,} in the offline model.", path + ("minLength",))
        for low, high in (("minItems", "maxItems"), ("minLength", "maxLength"), ("minimum", "maximum"),
                          ("exclusiveMinimum", "exclusiveMaximum"), ("minimum", "exclusiveMaximum"),
                          ("exclusiveMinimum", "maximum"), ("minProperties", "maxProperties")):
            if low in schema and high in schema and schema[low] > schema[high]:
                raise SchemaError(f"'{low}' is greater than '{high}': no value can satisfy the schema.", path + (low,))
        if "enum" in schema and (not isinstance(schema["enum"], list) or not schema["enum"]):
            raise SchemaError("'enum' must be a non-empty array.", path + ("enum",))
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema and (not isinstance(schema[key], list) or not schema[key]):
                raise SchemaError(f"'{key}' must be a non-empty array of schemas.", path + (key,))
        if "properties" in schema and not isinstance(schema["properties"], dict):
            raise SchemaError("'properties' must be an object.", path + ("properties",))
        required = schema.get("required", [])
        if not isinstance(required, list) or not all(isinstance(name, str) for name in required):
            raise SchemaError("'required' must be an array of property names.", path + ("required",))
        for key in ("$defs", "definitions"):
            if key in schema and not isinstance(schema[key], dict):
                raise SchemaError(f"'{key}' must be an object.", path + (key,))
