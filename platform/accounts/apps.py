from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from accounts.receivers import record_login, record_login_failed, record_logout
        from accounts.signin import on_user_logged_in

        user_logged_in.connect(record_login, dispatch_uid="accounts.record_login")
        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.session_state")
        user_login_failed.connect(record_login_failed, dispatch_uid="accounts.record_failed")
        user_logged_out.connect(record_logout, dispatch_uid="accounts.record_logout")
