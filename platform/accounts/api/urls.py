from django.urls import path

from accounts.api.views import MeApi, MemberListApi, TokenCreateApi, TokenDeleteApi

urlpatterns = [
    path("auth/token/", TokenCreateApi.as_view(), name="api-token-create"),
    path("auth/logout/", TokenDeleteApi.as_view(), name="api-token-delete"),
    path("me/", MeApi.as_view(), name="api-me"),
    # Deactivating and reactivating a council's users: caseload.api.members (council hosts).
    path("users/", MemberListApi.as_view(), name="api-member-list"),
]
