"""Sandboxed rendering of correspondence templates.

Templates are written by council staff and by the central body, so they are untrusted code.
Three layers keep them to their merge fields:

1. On save, `template_check` parses the template and walks its syntax tree. Only output,
   `{% if %}`, comparisons, allowed filters and `namespace.field` lookups of fields listed in
   `MERGE_FIELDS` pass. Anything else (an unknown field such as `settings.SECRET_KEY`, a call
   such as `case.title.upper()`, `[...]` subscripts, loops, imports, `{% set %}`) is refused
   with a message naming it.
2. Rendering uses Jinja2's SandboxedEnvironment with no globals and only our filters, with
   StrictUndefined, so a template that somehow slipped past (1) still cannot reach
   attributes Jinja considers unsafe.
3. The context is plain dicts of strings, dates and booleans (see services.context): there is
   no model instance, manager or method behind a field to walk to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from core.errors import ValidationFailed
from correspondence.merge_fields import MERGE_FIELDS

MAX_SUBJECT_CHARS = 300
MAX_BODY_CHARS = 20_000

_DATE_DIRECTIVES = re.compile(r"%(-?[dejBbYyAaHMm]|%)")


def format_date(value: Any) -> str:
    """UK style: 5 May 2026."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return "" if value is None else str(value)


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _filter_date(value: Any, fmt: str = "") -> str:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        return "" if value is None else str(value)
    if not fmt:
        return format_date(value)
    # Checked at save time too; re-checked so a format can never reach strftime unvetted.
    if _DATE_DIRECTIVES.sub("", fmt).count("%"):
        raise SecurityError("date format not allowed")
    return value.strftime(fmt)


def _filter_default(value: Any, fallback: str = "") -> Any:
    """The fallback when the field is blank (Jinja's own `default` only covers undefined)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return fallback
    return value


def _text(fn: Any) -> Any:
    def apply(value: Any) -> str:
        return fn(str(_finalize(value)))

    return apply


ALLOWED_FILTERS: dict[str, Any] = {
    "upper": _text(str.upper),
    "lower": _text(str.lower),
    "title": _text(str.title),
    "capitalize": _text(str.capitalize),
    "trim": _text(str.strip),
    "default": _filter_default,
    "date": _filter_date,
}
ALLOWED_TESTS = {"none", "defined"}

# What a template may contain. Everything else is refused by name.
_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Const,
    nodes.If,
    nodes.CondExpr,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Compare,
    nodes.Operand,
    nodes.Concat,
)
_TAG_NAMES = {
    "For": "{% for %}",
    "Assign": "{% set %}",
    "AssignBlock": "{% set %}",
    "Macro": "{% macro %}",
    "CallBlock": "{% call %}",
    "FilterBlock": "{% filter %}",
    "Include": "{% include %}",
    "Import": "{% import %}",
    "FromImport": "{% from ... import %}",
    "Extends": "{% extends %}",
    "Block": "{% block %}",
    "With": "{% with %}",
    "Scope": "{% with %}",
    "ScopedEvalContextModifier": "{% autoescape %}",
    "EvalContextModifier": "{% autoescape %}",
}


def _make_env() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,  # plain text; the HTML and letter outputs escape it themselves
        finalize=_finalize,
        trim_blocks=False,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
        cache_size=0,
    )
    env.globals.clear()
    env.filters = dict(ALLOWED_FILTERS)
    env.tests = {name: env.tests[name] for name in ALLOWED_TESTS}
    return env


_ENV = _make_env()


def _dotted(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        arg = node.arg.value if isinstance(node.arg, nodes.Const) else "…"
        return f"{_dotted(node.node)}[{arg!r}]"
    if isinstance(node, nodes.Call):
        return f"{_dotted(node.node)}()"
    if isinstance(node, nodes.Filter) and node.node is not None:
        return f"{_dotted(node.node)}|{node.name}"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    return type(node).__name__.lower()


class _Checker:
    def __init__(self) -> None:
        self.fields: set[str] = set()
        self.problems: list[str] = []

    def problem(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def visit(self, node: nodes.Node) -> None:
        if isinstance(node, nodes.Getattr):
            self._field(node)
            return
        if isinstance(node, nodes.Name):
            if node.name in MERGE_FIELDS:
                example = next(iter(MERGE_FIELDS[node.name]))
                self.problem(
                    f"'{node.name}' is a group of merge fields; use one of its fields, such as "
                    f"{node.name}.{example}."
                )
            else:
                self.problem(f"Unknown merge field '{node.name}'.")
            return
        if isinstance(node, nodes.Call):
            self.problem(
                f"Templates cannot call methods or functions: '{_dotted(node)}' is not allowed."
            )
            return
        if isinstance(node, nodes.Getitem):
            self.problem(
                f"Write merge fields as group.field, not with brackets: '{_dotted(node)}'."
            )
            return
        if isinstance(node, nodes.Filter):
            self._filter(node)
            return
        if isinstance(node, nodes.Test):
            if node.name not in ALLOWED_TESTS:
                self.problem(f"The test 'is {node.name}' is not allowed.")
            if node.args or node.kwargs or node.dyn_args or node.dyn_kwargs:
                self.problem("Tests take no arguments here.")
            self.visit(node.node)
            return
        if not isinstance(node, _ALLOWED_NODES):
            name = type(node).__name__
            tag = _TAG_NAMES.get(name)
            self.problem(
                f"The template tag {tag} is not allowed in correspondence templates."
                if tag
                else f"'{name}' expressions are not allowed in correspondence templates."
            )
            return
        for child in node.iter_child_nodes():
            self.visit(child)

    def _field(self, node: nodes.Getattr) -> None:
        path = _dotted(node)
        if (
            isinstance(node.node, nodes.Name)
            and node.node.name in MERGE_FIELDS
            and node.attr in MERGE_FIELDS[node.node.name]
        ):
            self.fields.add(path)
            return
        self.problem(f"Unknown merge field '{path}'.")

    def _filter(self, node: nodes.Filter) -> None:
        if node.name not in ALLOWED_FILTERS:
            self.problem(
                f"The filter '|{node.name}' is not allowed; use one of: "
                f"{', '.join(sorted(ALLOWED_FILTERS))}."
            )
        if node.kwargs or node.dyn_args or node.dyn_kwargs:
            self.problem(f"The filter '|{node.name}' takes plain values only.")
        for arg in node.args:
            if not isinstance(arg, nodes.Const) or not isinstance(arg.value, str | int):
                self.problem(f"The filter '|{node.name}' takes quoted text only.")
            elif node.name == "date" and _DATE_DIRECTIVES.sub("", str(arg.value)).count("%"):
                self.problem(
                    f"The date format {arg.value!r} is not allowed; use %d, %-d, %B, %b, %Y, "
                    "%A, %a, %m, %H, %M."
                )
        if node.node is not None:
            self.visit(node.node)


@dataclass(frozen=True)
class CheckedTemplate:
    """Which merge fields a (valid) template uses, e.g. {"case.reference", "officer.name"}."""

    fields: frozenset[str]

    @property
    def namespaces(self) -> frozenset[str]:
        return frozenset(f.split(".", 1)[0] for f in self.fields)


def _check_one(source: str, field: str, limit: int, errors: dict[str, list[str]]) -> set[str]:
    if len(source) > limit:
        errors[field] = [f"At most {limit:,} characters."]
        return set()
    try:
        tree = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        errors[field] = [f"Line {exc.lineno}: {exc.message}"]
        return set()
    checker = _Checker()
    checker.visit(tree)
    if checker.problems:
        errors[field] = checker.problems
    return checker.fields


@lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    # Compiling is most of a merge's cost; a batch merges one template hundreds of times.
    return _ENV.from_string(source)


@lru_cache(maxsize=512)
def _checked(subject: str, body: str) -> CheckedTemplate:
    return template_check(subject=subject, body=body)


def template_check(*, subject: str, body: str) -> CheckedTemplate:
    """Refuse a template that reaches beyond its merge fields (ValidationFailed naming the
    field or construct); otherwise say which fields it uses."""
    errors: dict[str, list[str]] = {}
    if not subject.strip():
        errors["subject"] = ["A template needs a subject."]
    elif "\n" in subject.strip():
        errors["subject"] = ["The subject is one line."]
    if not body.strip():
        errors["body"] = ["A template needs a body."]
    fields = _check_one(subject, "subject", MAX_SUBJECT_CHARS, errors) if subject.strip() else set()
    if body.strip():
        fields |= _check_one(body, "body", MAX_BODY_CHARS, errors)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, extra=errors)
    return CheckedTemplate(fields=frozenset(fields))


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def render_checked(
    *, subject: str, body: str, context: Mapping[str, Mapping[str, Any]]
) -> Rendered:
    """Render a template (checked again here: stored text is never trusted) with `context`,
    a mapping of namespace -> {field: str | date | bool | None}."""
    _checked(subject, body)
    # Plain dicts only, limited to the declared fields: nothing else is in reach.
    safe = {
        ns: {name: context.get(ns, {}).get(name) for name in fields}
        for ns, fields in MERGE_FIELDS.items()
    }
    try:
        rendered_subject = _compiled(subject).render(safe)
        rendered_body = _compiled(body).render(safe)
    except (UndefinedError, SecurityError) as exc:  # pragma: no cover - blocked by the check
        raise ValidationFailed(f"The template could not be rendered: {exc}") from None
    lines = [line.rstrip() for line in rendered_body.strip().splitlines()]
    collapsed: list[str] = []
    for line in lines:  # at most one blank line between paragraphs
        if line or (collapsed and collapsed[-1]):
            collapsed.append(line)
    return Rendered(subject=" ".join(rendered_subject.split()), body="\n".join(collapsed))


def paragraphs(body: str) -> list[list[str]]:
    """The body as paragraphs (blank-line separated), each a list of its lines."""
    result: list[list[str]] = []
    current: list[str] = []
    for line in body.splitlines():
        if line.strip():
            current.append(line)
        elif current:
            result.append(current)
            current = []
    if current:
        result.append(current)
    return result
