"""Requests no honest client sends get a 400 before any view (or parser) sees them.

- A NUL byte, or bytes that are not UTF-8, in the path, the query string, a form body or a
  JSON body: PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"), so a
  view passing `?q=%00` to a query used to fail with a 500.
- JSON nested deeper than `REQUEST_JSON_MAX_DEPTH`: Python's parser recurses once per level,
  so `[[[[...]]]]` a thousand deep raised RecursionError (a 500), even unauthenticated.
  The depth is counted by a scan that does not recurse, before anything parses the body.

Multipart bodies are left to the form and serializer fields, which refuse NUL in text
themselves (Django's and DRF's ProhibitNullCharactersValidator); their files may hold any
bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

_JSON_TOKENS = re.compile(rb'[\\"\[\]{}]')
# A JSON string escape that decodes to NUL: \u0000 (any case of the hex digits).
_JSON_NUL_ESCAPE = re.compile(rb"\\u0000", re.IGNORECASE)


class BadInput(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _check_text(raw: bytes, where: str) -> None:
    if b"\x00" in raw:
        raise BadInput(f"The {where} contains a NUL character.")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"The {where} is not valid UTF-8.") from exc


def _check_urlencoded(raw: bytes, where: str) -> None:
    # `+` is a space in a query string or form; only %XX escapes can hide a NUL.
    _check_text(raw, where)
    _check_text(unquote_to_bytes(raw.replace(b"+", b" ")), where)


def json_too_deep(raw: bytes, limit: int) -> bool:
    """Whether arrays and objects in `raw` nest more than `limit` deep, counting brackets
    outside strings, without recursion."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # not enough brackets to be that deep
    depth = 0
    in_string = escaped = False
    last_backslash = -2
    for match in _JSON_TOKENS.finditer(raw):
        token = match.group()
        if in_string:
            if escaped:
                escaped = False
                # The escape covered this character only if it directly follows the backslash.
                if match.start() == last_backslash + 1:
                    continue
            if token == b"\\":
                escaped = True
                last_backslash = match.start()
            elif token == b'"':
                in_string = False
            continue
        if token == b'"':
            in_string = True
        elif token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def _check_json(raw: bytes, limit: int) -> None:
    _check_text(raw, "JSON body")
    if _JSON_NUL_ESCAPE.search(raw):
        raise BadInput("The JSON body contains a NUL character (\\u0000).")
    if json_too_deep(raw, limit):
        raise BadInput(f"The JSON body is nested more than {limit} levels deep.")


def check_request(request: HttpRequest) -> None:
    """Raise BadInput for what the module docstring lists."""
    path = request.META.get("PATH_INFO", "")
    # WSGI hands over the path percent-decoded, as latin-1 characters: encoding them back
    # gives the client's bytes. Some servers (and Django's test client) re-escape bytes that
    # are not UTF-8, so decode once more: no route of ours has a `%` in it.
    raw_path = path.encode("latin-1", "replace")
    _check_text(raw_path, "address")
    _check_text(unquote_to_bytes(raw_path), "address")
    _check_urlencoded(request.META.get("QUERY_STRING", "").encode("latin-1", "replace"), "query")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = (request.content_type or "").lower()
    if content_type == "application/x-www-form-urlencoded":
        _check_urlencoded(request.body, "form")
    elif content_type == "application/json" or content_type.endswith("+json"):
        _check_json(request.body, int(settings.REQUEST_JSON_MAX_DEPTH))


class HostileInputMiddleware:
    """Runs first, so nothing (health checks, council lookup, CSRF, parsers) meets such a
    request. The answer is JSON under /api/ and a page elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except BadInput as exc:
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "bad_request", "message": exc.message}}, status=400
                )
            # Without context processors: no council, user or session is looked at; the
            # request is there for the page's CSP nonce only.
            body = render_to_string("400.html", {"message": exc.message, "request": request})
            return HttpResponseBadRequest(body)
        return self.get_response(request)
