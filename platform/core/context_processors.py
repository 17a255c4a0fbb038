from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    council = getattr(request, "council", None)
    return {
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "PLATFORM_DOMAIN": settings.PLATFORM_DOMAIN,
        "council": council,
    }
