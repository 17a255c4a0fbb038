from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.template.loader import render_to_string
from django.urls import set_urlconf
from django_tenants.middleware.main import TenantMainMiddleware

from core.tenancy import tenant_connection
from tenants.selectors import council_get_by_hostname


class CouncilMiddleware(TenantMainMiddleware):
    """Resolve the Host to a council's schema, or to the central body's public site.

    * `<slug>.<PLATFORM_DOMAIN>` -> that council (only once it is ready);
    * `<PLATFORM_DOMAIN>` -> the public schema and the central body's URLs;
    * anything else -> a 404 page, rendered without touching any council's schema.

    Host validation against ALLOWED_HOSTS happens in `get_host()`, so a spoofed Host is a 400
    before any lookup.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        tenant_connection().set_schema_to_public()
        hostname = self.hostname_from_request(request)
        request.council = None  # type: ignore[attr-defined]
        if hostname == settings.PLATFORM_DOMAIN:
            request.tenant = tenant_connection().tenant  # type: ignore[attr-defined]
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            return None

        council = council_get_by_hostname(hostname=hostname)
        if council is None:
            # No context processors (no user, no council): only the request, for the
            # page's CSP nonce.
            body = render_to_string("404.html", {"hostname": hostname, "request": request})
            return HttpResponseNotFound(body)

        council.domain_url = hostname
        request.tenant = council  # type: ignore[attr-defined]
        request.council = council  # type: ignore[attr-defined]
        tenant_connection().set_tenant(council)
        request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        return None
