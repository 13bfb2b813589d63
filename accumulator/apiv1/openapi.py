"""The OpenAPI 3.1 description of `/api/v1`, generated from the operations' declarations and the
same pydantic models the routes validate with (JSON Schema 2020-12, which 3.1 takes as it is)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from accumulator.apiv1.contract import PREFIX, Operation
from accumulator.apiv1.shapes import ErrorAnswer

REF = "#/components/schemas/{model}"
INFO = {
    "title": "Accumulator API",
    "version": "1.0.0",
    "description": (
        "The owner's hub as JSON: notes, pastes, plants, analytics, Spotify, comments and contact messages. "
        "Every operation needs `Authorization: Bearer <token>` with a personal access token made on the "
        "owner's /tokens page or with `python -m accumulator create-token`. Read tokens may only read; write "
        "tokens may also change. "
        'Errors are `{"error": {"code", "message"}}`; lists are pages with `next_cursor`; timestamps are '
        "ISO-8601 with their offset; ids are strings."
    ),
}


def _query_parameters(model: type[BaseModel], defs: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    defs.update(schema.pop("$defs", {}))
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _json(ref: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": ref}}


def build(operations: list[Operation]) -> dict[str, Any]:
    models = [(ErrorAnswer, "serialization")]
    for op in operations:
        if op.body:
            models.append((op.body, "validation"))
        if op.answer:
            models.append((op.answer, "serialization"))
    refs, top = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    error_ref = refs[(ErrorAnswer, "serialization")]
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": param.description,
                "schema": {"type": "string", "pattern": param.pattern, "maxLength": param.max_length},
            }
            for name, param in op.path_params.items()
        ]
        if op.query:
            parameters += _query_parameters(op.query, schemas)
        responses: dict[str, Any] = {}
        if op.answer:
            responses[str(op.status)] = {
                "description": "Success.",
                "content": _json(refs[(op.answer, "serialization")]),
            }
        else:
            responses[str(op.status)] = {"description": "Done; no body."}
        for status, text in sorted(op.error_statuses().items()):
            response: dict[str, Any] = {"description": text, "content": _json(error_ref)}
            if status in (429, 503):
                response["headers"] = {
                    "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer", "minimum": 1}}
                }
            responses[str(status)] = response
        entry: dict[str, Any] = {
            "operationId": op.name,
            "summary": op.summary,
            "tags": [op.tag],
            "security": [{"token": []}],
            "parameters": parameters,
            "responses": responses,
        }
        if op.description:
            entry["description"] = op.description
        if op.body:
            entry["requestBody"] = {"required": True, "content": _json(refs[(op.body, "validation")])}
        elif op.raw_body:
            entry["requestBody"] = {
                "required": True,
                "content": {op.raw_body: {"schema": {"type": "string", "format": "binary"}}},
            }
        paths.setdefault(PREFIX + op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "description": "A personal access token (acc_…)."}
            },
        },
    }
