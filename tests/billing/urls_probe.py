"""A council urlconf with two plain write endpoints added, for the read-only tests.

Each calls a real service that writes the council's data (caseload.services.member_add),
one through DRF (API) and one as a form post (web), so the tests can show a write in every
licence state without depending on another app's pages.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caseload.services import member_add
from config.urls_tenant import urlpatterns as tenant_urlpatterns


class ProbeMemberCreateApi(APIView):
    def post(self, request: Request) -> Response:
        user = member_add(actor=None, email=request.data["email"], role="staff")
        return Response({"id": user.pk}, status=status.HTTP_201_CREATED)


def probe_member_create_web(request: HttpRequest) -> HttpResponse:
    if request.method != "POST" or not request.user.is_authenticated:
        return HttpResponse(status=405)
    member_add(actor=None, email=request.POST["email"], role="staff")
    return HttpResponseRedirect("/")


urlpatterns = [
    path("api/v1/probe/members/", ProbeMemberCreateApi.as_view()),
    path("probe/members/", probe_member_create_web),
    *tenant_urlpatterns,
]
