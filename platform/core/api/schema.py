"""OpenAPI schema generation (drf-spectacular) adapted to one-view-per-operation APIs."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    """Names a nested serializer after the classes it is nested in.

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
