from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Councils"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tenants.models import Council, Domain
        from tenants.selectors import council_host_cache_clear

        def forget(**kwargs: object) -> None:
            council_host_cache_clear()

        # A council or domain saved or deleted in this process is looked up afresh.
        for model in (Council, Domain):
            post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"host-{model}")
            post_delete.connect(forget, sender=model, weak=False, dispatch_uid=f"host-d-{model}")
