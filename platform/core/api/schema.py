"""OpenAPI schema generation (drf-spectacular) adapted to one-view-per-operation APIs, and
made to tell the truth: lists as the objects they are, every error in the one error shape."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API (core.api.errors)."""

    error = inline_serializer(
        name="ErrorDetail",
        fields={
            "code": serializers.CharField(help_text="Stable, for programs: e.g. not_found."),
            "message": serializers.CharField(help_text="For people: what was wrong, what to do."),
            # (A serializer cannot declare a field called `fields`, hence inline.)
            "fields": serializers.DictField(
                required=False, help_text="Per-field messages, for errors in the request's fields."
            ),
        },
    )


ERROR_DESCRIPTIONS = {
    "400": "The request has errors (see `fields`), or input no honest client sends.",
    "401": "No valid token (or a second-factor code is needed: see the message).",
    "403": "Not allowed for this user, or the council's licence is read-only.",
    "404": "No such object (or one this user may not see).",
    "409": "Conflicts with what exists (a duplicate, a limit reached).",
    "415": "The body is not in a type this operation accepts (JSON, or a form).",
    "422": "Not possible in the object's current state.",
    "429": "Too many requests or failed sign-ins: wait (Retry-After) and try again.",
}
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _component_base(serializer: Any) -> str:
    cls = serializer if isinstance(serializer, type) else type(serializer)
    parts = cls.__qualname__.split(".")
    if "<locals>" in parts:
        parts = parts[-1:]
    return "".join(p.removesuffix("Serializer") for p in parts)


def list_of(serializer: Any, *, page: bool = False, **extra: serializers.Field) -> Any:
    """The schema of a list answer: `{"results": [...]}`, or with `page=True` a cursor or
    offset page `{"next", "previous", "results"}` (links are null at either end). `extra`
    fields sit beside `results` (e.g. the holidays' `year`)."""
    cls = serializer if isinstance(serializer, type) else type(serializer)
    fields: dict[str, serializers.Field] = {}
    if page:
        fields["next"] = serializers.URLField(allow_null=True, help_text="The next page.")
        fields["previous"] = serializers.URLField(allow_null=True, help_text="The one before.")
    fields.update(extra)
    fields["results"] = cls(many=True)
    suffix = "Page" if page else "List"
    answer = inline_serializer(name=f"{_component_base(cls)}{suffix}", fields=fields)
    answer.list_answer = True  # type: ignore[attr-defined]  # for get_operation_id
    return answer


class AutoSchema(SpectacularAutoSchema):
    """Names a nested serializer after the classes it is nested in, and documents errors.

    Every view nests serializers called InputSerializer and OutputSerializer. drf-spectacular
    names components after the class alone ("Input", "Output"), so two views' serializers
    collide and one silently replaces the other in the schema. `TokenCreateApi.OutputSerializer`
    becomes the component `TokenCreateApiOutput` instead.
    """

    def get_serializer_name(
        self, serializer: Any, direction: Literal["request", "response"]
    ) -> str:
        cls = serializer if isinstance(serializer, type) else type(serializer)
        parts = cls.__qualname__.split(".")
        if len(parts) == 1 or "<locals>" in parts:
            return str(super().get_serializer_name(serializer, direction))
        outer = [p.removesuffix("Serializer") for p in parts[:-1]]
        return "".join([*outer, parts[-1]])

    def get_operation_id(self) -> str:
        """`..._list` for an operation answering a list_of(...): drf-spectacular cannot tell
        from a plain APIView, names both a list and its item `..._retrieve`, and warns."""
        operation_id = str(super().get_operation_id())
        answer = self.get_response_serializers()
        if isinstance(answer, dict):
            answer = answer.get(200, answer.get("200"))
        if self.method == "GET" and getattr(answer, "list_answer", False):
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id

    def _error_codes(self) -> list[str]:
        """The errors this operation can answer, from what the view is: any request can be
        refused as malformed (400); signed-in operations can be refused for the user (401,
        403); an object named in the path may not exist (404); a write can conflict or meet
        the wrong state (409, 422), a read-only licence (403), or an unsupported body (415);
        a throttled view can answer 429. The token endpoint has all of those its own way."""
        view = self.view
        anonymous = all(isinstance(p, AllowAny) or p is AllowAny for p in view.get_permissions())
        codes = {"400"}
        if not anonymous or getattr(view, "authentication_classes", None) == []:
            codes |= {"401", "403"}
        if "{" in self.path:
            codes.add("404")
        if self.method in WRITES:
            codes |= {"403", "409", "415", "422"}
            if not anonymous:
                codes.add("404")  # an id in the body names nothing this user may see
        if getattr(view, "throttle_classes", None) or (self.method in WRITES and anonymous):
            codes.add("429")
        return sorted(codes)

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses
