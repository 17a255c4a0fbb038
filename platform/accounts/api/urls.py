from django.urls import path

from accounts.api.views import (
    MeApi,
    MemberDeactivateApi,
    MemberListApi,
    MemberReactivateApi,
    TokenCreateApi,
    TokenDeleteApi,
)

urlpatterns = [
    path("auth/token/", TokenCreateApi.as_view(), name="api-token-create"),
    path("auth/logout/", TokenDeleteApi.as_view(), name="api-token-delete"),
    path("me/", MeApi.as_view(), name="api-me"),
    path("users/", MemberListApi.as_view(), name="api-member-list"),
    path(
        "users/<int:user_id>/deactivate/",
        MemberDeactivateApi.as_view(),
        name="api-member-deactivate",
    ),
    path(
        "users/<int:user_id>/reactivate/",
        MemberReactivateApi.as_view(),
        name="api-member-reactivate",
    ),
]
