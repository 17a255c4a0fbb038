from django.urls import path

from accounts.api.views import MeApi, TokenCreateApi, TokenDeleteApi

urlpatterns = [
    path("auth/token/", TokenCreateApi.as_view(), name="api-token-create"),
    path("auth/logout/", TokenDeleteApi.as_view(), name="api-token-delete"),
    path("me/", MeApi.as_view(), name="api-me"),
]
