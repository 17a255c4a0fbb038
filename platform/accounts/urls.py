from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views, views_account

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login-code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="set-password",
    ),
    path("password-reset/", views.password_reset, name="password-reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("account/", views_account.account, name="account"),
    path("account/two-factor/", views_account.two_factor, name="two-factor"),
    path("account/two-factor/remove/", views_account.two_factor_remove, name="two-factor-remove"),
    path("account/recovery-codes/", views_account.recovery_codes, name="recovery-codes"),
    path("account/password/", views_account.password, name="password-change"),
    path(
        "account/sign-out-everywhere/",
        views_account.sign_out_everywhere_view,
        name="sign-out-everywhere",
    ),
]
