"""The OpenAPI document, assembled from what each API module declares.

Each module listed in API_MODULES defines `OPENAPI_PATHS` (the OpenAPI "paths" object for its
routes) and `OPENAPI_SCHEMAS` (name -> pydantic model); component schemas come from the same
pydantic models that validate the requests, so the document cannot drift from the code.
"""

from importlib import import_module

from pydantic import BaseModel

API_MODULES: tuple[str, ...] = (  # e.g. "webapp.groupings.api"
    "webapp.groupings.members_api",
    "webapp.tenders.imports_api",
    "webapp.tenders.api",
    "webapp.groupings.api",
    "webapp.alerts.api",
)

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["error", "message"],
}

CORE_PATHS = {
    "/me": {
        "get": {
            "summary": "The user the bearer token belongs to",
            "security": [{"bearer": []}],
            "responses": {
                "200": {"description": "The user", "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "email": {"type": "string"},
                        "role": {"enum": ["coordinator", "authority", "enterprise"]},
                        "authority_id": {"type": ["integer", "null"]},
                        "enterprise_id": {"type": ["integer", "null"]},
                    },
                }}}},
                "401": {"$ref": "#/components/responses/Unauthorized"},
            },
        }
    },
}


# --- pieces the API modules build their OPENAPI_PATHS from ------------------------------------

BEARER = [{"bearer": []}]
ERROR_CODES = {"Unauthorized": "401", "Forbidden": "403", "NotFound": "404", "Invalid": "422",
               "Conflict": "409", "TooLarge": "413", "TooMany": "429"}


def ok(schema: str | None, description: str, array: bool = False) -> dict:
    """A success answer: the named component schema (a list of it with ``array``), or no body."""
    if schema is None:
        return {"description": description}
    ref = {"$ref": f"#/components/schemas/{schema}"}
    body = {"type": "array", "items": ref} if array else ref
    return {"description": description, "content": {"application/json": {"schema": body}}}


def errors(*names: str) -> dict:
    """The error answers of an operation, by the names of the common responses."""
    return {ERROR_CODES[n]: {"$ref": f"#/components/responses/{n}"} for n in names}


def body(schema: str) -> dict:
    """A required JSON request body of the named component schema."""
    return {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def operation(summary: str, answer: dict, *error_names: str, status: str = "200",
              parameters: list | None = None, request: str | None = None) -> dict:
    """An operation behind the bearer token: its success ``answer`` (e.g. from `ok`) under
    ``status``, then the common error answers by name; ``request`` names the body's schema."""
    spec: dict = {"summary": summary, "security": BEARER}
    if parameters is not None:
        spec["parameters"] = parameters
    if request is not None:
        spec["requestBody"] = body(request)
    spec["responses"] = {status: answer, **errors(*error_names)}
    return spec


def path_param(name: str, kind: str = "integer") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


def query_params(model: type[BaseModel]) -> list[dict]:
    """Every field of a pydantic query model as an optional query parameter."""
    schema = model.model_json_schema()
    return [{"name": name, "in": "query", "required": False, "schema": prop}
            for name, prop in schema["properties"].items()]


def build_document() -> dict:
    """Assemble the whole document."""
    paths: dict = dict(CORE_PATHS)
    schemas: dict = {"Error": ERROR_SCHEMA}
    for name in API_MODULES:
        module = import_module(name)
        paths.update(getattr(module, "OPENAPI_PATHS", {}))
        for schema_name, model in getattr(module, "OPENAPI_SCHEMAS", {}).items():
            schemas.update(_model_schemas(schema_name, model))
    _add_common_responses(paths)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Matchmaker API",
            "version": "1",
            "description": "Working groups of public buyers, and tenders for social enterprises.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": _error_responses(),
        },
    }


def _add_common_responses(paths: dict) -> None:
    """Answers any operation can give: 400 for a NUL character or an overlong parameter
    (webapp.inputs refuses them before any view), 413 for a body over the size limit."""
    for operations in paths.values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", {"$ref": "#/components/responses/BadRequest"})
            if "requestBody" in operation:
                responses.setdefault("413", {"$ref": "#/components/responses/TooLarge"})


def _model_schemas(name: str, model: type[BaseModel]) -> dict:
    """A pydantic model's JSON schema, its nested definitions lifted into components."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    nested = schema.pop("$defs", {})
    return {name: schema, **nested}


def _error_responses() -> dict:
    described = {
        "BadRequest": "A parameter with a NUL character, or longer than 2,000 characters",
        "Unauthorized": "No valid bearer token",
        "Forbidden": "The token's role may not do this",
        "NotFound": "No such resource, or not yours",
        "Invalid": "Invalid input, with a message per field",
        "Conflict": "Someone else changed it first",
        "TooLarge": "The body is larger than the limit",
        "TooMany": "Too many requests of this kind; Retry-After says when to try again",
    }
    return {
        name: {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for name, text in described.items()
    }
