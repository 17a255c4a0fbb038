from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from console.permissions import central_staff_required
from console.selectors import council_directory


@central_staff_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", {"councils": council_directory()})
