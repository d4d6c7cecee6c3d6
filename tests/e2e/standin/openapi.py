"""Every JSON body the bot sends, checked against Discord's own OpenAPI description.

The description (OpenAPI 3.1, MIT, published by Discord) is read at test time from the shared
folder, never copied into the repository: ``$GRIDBOT_DISCORD_OPENAPI`` if set, else
``shared/discord-openapi/openapi.json`` beside the repository, else
``/work/shared/discord-openapi/openapi.json``. Missing, it is an error when ``CI`` is true and
a warning otherwise (the stand-in then checks only its own rules).

For a request, the operation is found by matching the concrete path against the description's
path templates (the most literal template wins, so ``messages/@original`` beats
``messages/{message_id}``); its ``requestBody`` schema for ``application/json`` (for multipart
requests: the ``payload_json`` part, which is that same JSON) is compiled once into a
``jsonschema`` validator, with ``$ref`` resolved through a ``referencing`` registry holding the
whole description, and kept. Verdicts are cached by body too: a burst of identical answers is
validated once.

Failures are reported in Discord's ``Invalid Form Body`` shape: a tree of the failing fields
with ``_errors`` lists of ``{code, message}``. Where a body is a union (``anyOf``/``oneOf``, e.g.
the callback types), the branch the body meant is the one that failed deepest; when every branch
fails on the same discriminating field (e.g. an unknown callback ``type``), that field is reported
with every value the branches allow.

Where the description is stricter than the API it describes, it is relaxed in memory, each case
listed in :data:`RELAXATIONS` with the reason.
"""

from __future__ import annotations

import functools
import json
import os
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # jsonschema ships no stubs
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]  # jsonschema ships no stubs
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from . import codec

JSON = dict[str, Any]
SPEC_ENV = "GRIDBOT_DISCORD_OPENAPI"
REPO = Path(__file__).resolve().parents[3]
CANDIDATES = (
    REPO.parent / "shared" / "discord-openapi" / "openapi.json",
    Path("/work/shared/discord-openapi/openapi.json"),
)
URI = "urn:discord:openapi"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
VERDICT_CACHE = 4096
MEDIA_TYPES = ("application/json", "multipart/form-data")

RELAXATIONS = {
    "SnowflakeType": (
        "Discord accepts a snowflake as a JSON integer as well as a decimal string; its own "
        "file-upload example sends attachments as {'id': 0}, and discord.py sends attachment "
        "ids and allowed_mentions.users as integers."
    ),
}


class SpecMissing(RuntimeError):
    """Discord's OpenAPI description is not where the tests look for it (and CI is true)."""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def spec_path() -> Path | None:
    configured = os.environ.get(SPEC_ENV)
    if configured:
        return Path(configured) if Path(configured).is_file() else None
    return next((p for p in CANDIDATES if p.is_file()), None)


@functools.cache
def load() -> BodySchemas | None:
    """The description, loaded once per process; ``None`` (with a warning) when it is missing."""
    path = spec_path()
    if path is None:
        where = os.environ.get(SPEC_ENV) or " or ".join(str(p) for p in CANDIDATES)
        message = (
            f"Discord's OpenAPI description is missing ({where}): request bodies are not "
            f"checked against it. Set {SPEC_ENV} to its path."
        )
        if in_ci():
            raise SpecMissing(message)
        warnings.warn(message, stacklevel=2)
        return None
    return BodySchemas(json.loads(path.read_bytes()), source=path)


@dataclass(frozen=True)
class Problem:
    """One failure, at ``path`` in the body, in Discord's terms, with jsonschema's own words."""

    path: tuple[str | int, ...]
    code: str
    message: str
    detail: str

    def item(self) -> JSON:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Verdict:
    operation: str
    """``"METHOD /template"`` of the description's operation the body was checked against."""
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> JSON:
        """Discord's ``errors`` tree for the problems (empty when the body is valid)."""
        return error_tree(self.problems)


def error_tree(problems: Iterable[Problem]) -> JSON:
    root: JSON = {}
    for problem in problems:
        node = root
        for segment in problem.path:
            node = node.setdefault(str(segment), {})
        node.setdefault("_errors", []).append(problem.item())
    return root


class BodySchemas:
    """The description's request-body schemas, compiled on first use per operation."""

    def __init__(self, spec: JSON, *, source: Path | None = None) -> None:
        self.source = source
        schemas = spec.get("components", {}).get("schemas", {})
        if "SnowflakeType" in schemas:
            schemas["SnowflakeType"] = {
                "anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]
            }
        self.spec = spec
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(URI, resource)
        self.templates: dict[tuple[int, str], list[_Template]] = defaultdict(list)
        for path in spec.get("paths", {}):
            template = _Template.parse(path)
            self.templates[template.shape].append(template)
        for candidates in self.templates.values():
            candidates.sort(key=lambda t: -t.literals)
        self._validators: dict[tuple[str, str], Any] = {}
        self._verdicts: dict[tuple[str, str, bytes], Verdict] = {}

    def operation(self, method: str, path: str) -> str | None:
        """The description's path template for ``method path``, or ``None``."""
        lowered = method.lower()
        for template in self.templates.get(_shape(path), ()):
            if template.regex.fullmatch(path) and lowered in self.spec["paths"][template.path]:
                return template.path
        return None

    def validator(self, method: str, template: str) -> Any:
        """The compiled validator for the operation's JSON body; ``None`` if it takes none."""
        key = (method, template)
        if key not in self._validators:
            operation = self.spec["paths"][template].get(method.lower(), {})
            content = operation.get("requestBody", {}).get("content", {})
            media = next((m for m in MEDIA_TYPES if m in content), None)
            found = None
            if media is not None and "schema" in content[media]:
                pointer = "/".join(
                    _escape(part)
                    for part in ("paths", template, method.lower(), "requestBody", "content", media)
                )
                root = {"$ref": f"{URI}#/{pointer}/schema"}
                found = Draft202012Validator(root, registry=self.registry)
            self._validators[key] = found
        return self._validators[key]

    def check(self, method: str, path: str, body: Any) -> Verdict | None:
        """The verdict on ``body`` sent as ``method path``; ``None`` if nothing describes it."""
        if method not in BODY_METHODS:
            return None
        template = self.operation(method, path)
        if template is None:
            return None
        validator = self.validator(method, template)
        if validator is None:
            return None
        key = (method, template, codec.dumps(body, sort_keys=True))
        verdict = self._verdicts.get(key)
        if verdict is None:
            found: list[Problem] = []
            for error in validator.iter_errors(body):
                found += problems(error)
            verdict = Verdict(f"{method} {template}", tuple(found))
            if len(self._verdicts) >= VERDICT_CACHE:
                self._verdicts.pop(next(iter(self._verdicts)))
            self._verdicts[key] = verdict
        return verdict


def _shape(path: str) -> tuple[int, str]:
    """How many segments a path has, and its first (always literal in Discord's API)."""
    parts = path.strip("/").split("/")
    return len(parts), parts[0]


@dataclass(frozen=True)
class _Template:
    path: str
    regex: re.Pattern[str]
    literals: int
    shape: tuple[int, str]

    @classmethod
    def parse(cls, path: str) -> _Template:
        parts = path.strip("/").split("/")
        pattern = "/".join(
            "[^/]+" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts
        )
        literals = sum(not p.startswith("{") for p in parts)
        return cls(path, re.compile("/" + pattern), literals, _shape(path))


def _escape(part: str) -> str:
    """One JSON-pointer token."""
    return part.replace("~", "~0").replace("/", "~1")


# From jsonschema's errors to Discord's.


def _depth(error: ValidationError) -> int:
    """How deep in the body an error is: a missing field counts at the field's depth, a union at
    the depth of its deepest failure (the branch that got furthest)."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        return max(_depth(sub) for sub in error.context)
    return len(error.absolute_path) + (1 if error.validator == "required" else 0)


def _choices(error: ValidationError) -> list[Any] | None:
    """The values an enum-like error allowed (``enum``, ``const``, or a union of them)."""
    if error.validator == "enum":
        return list(error.validator_value)
    if error.validator == "const":
        return [error.validator_value]
    if error.validator in ("anyOf", "oneOf") and error.context:
        values: list[Any] = []
        for sub in error.context:
            found = _choices(sub) if not sub.relative_path else None
            if found is None:
                return None
            values += found
        return values
    return None


def _sorted_unique(values: Iterable[Any]) -> list[Any]:
    unique = {json.dumps(v, sort_keys=True): v for v in values}
    return sorted(unique.values(), key=lambda v: (str(type(v)), v if v is not None else 0))


def _choice_problem(path: tuple[str | int, ...], values: list[Any], detail: str) -> Problem:
    shown = ", ".join(repr(v) for v in _sorted_unique(values))
    return Problem(path, "BASE_TYPE_CHOICES", f"Value must be one of ({shown}).", detail)


def _union(error: ValidationError) -> list[Problem]:
    """The problems of the branch of ``anyOf``/``oneOf`` the body meant."""
    here = tuple(error.absolute_path)
    if (values := _choices(error)) is not None:
        return [_choice_problem(here, values, error.message)]
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0]].append(sub)
    shallowest = {k: min(_depth(e) for e in errs) for k, errs in branches.items()}
    # Every branch refused the same field's value: that field is the discriminator.
    discriminators: dict[tuple[Any, ...], list[Any]] = {}
    for key, errs in branches.items():
        for sub in errs:
            if _depth(sub) == shallowest[key] and (values := _choices(sub)) is not None:
                discriminators.setdefault(tuple(sub.absolute_path), [])
                discriminators[tuple(sub.absolute_path)] += values
    for path, values in discriminators.items():
        if all(
            any(tuple(e.absolute_path) == path and _choices(e) is not None for e in errs)
            for errs in branches.values()
        ):
            return [_choice_problem(path, values, error.message)]
    best = max(branches, key=lambda k: (shallowest[k], -len(branches[k])))
    return [p for sub in branches[best] for p in problems(sub)]


def problems(error: ValidationError) -> list[Problem]:
    """Discord-shaped problems for one jsonschema error."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        return _union(error)
    path = tuple(error.absolute_path)
    kind, value = error.validator, error.validator_value
    said = error.message if len(error.message) <= 200 else error.message[:199] + "…"
    detail = f"{said} (schema {'/'.join(map(str, error.absolute_schema_path))})"
    if kind == "required":
        missing = [f for f in value if isinstance(error.instance, dict) and f not in error.instance]
        return [
            Problem((*path, f), "BASE_TYPE_REQUIRED", "This field is required", detail)
            for f in missing
        ]
    if kind in ("enum", "const"):
        return [_choice_problem(path, _choices(error) or [], detail)]
    return [Problem(path, *_code_and_message(kind, value, error.instance), detail)]


def _code_and_message(kind: str, value: Any, instance: Any) -> tuple[str, str]:
    if kind in ("maxLength", "maxItems"):
        return "BASE_TYPE_MAX_LENGTH", f"Must be {value} or fewer in length."
    if kind in ("minLength", "minItems"):
        return "BASE_TYPE_MIN_LENGTH", f"Must be {value} or more in length."
    if kind == "maximum":
        return "NUMBER_TYPE_MAX", f"int value should be less than or equal to {value}."
    if kind == "minimum":
        return "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {value}."
    if kind == "pattern":
        return "STRING_TYPE_REGEX", "String value did not match validation regex."
    if kind == "type":
        expected = value if isinstance(value, list) else [value]
        if "array" in expected:
            return "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType"
        if "object" in expected:
            return "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"
        if "integer" in expected or "number" in expected:
            return "NUMBER_TYPE_COERCE", f'Value "{instance}" is not int.'
        return "BASE_TYPE_BAD_TYPE", f"Must be of type {' or '.join(expected)}."
    return f"SCHEMA_{kind.upper()}", f"Invalid value ({kind})."
