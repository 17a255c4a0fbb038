"""Seed the standard five templates every council gets (idempotent: existing keys kept)."""

from django.db import migrations


def seed(apps, schema_editor):
    from correspondence.shared.standard import STANDARD_TEMPLATES

    SharedTemplate = apps.get_model("correspondence_shared", "SharedTemplate")
    for spec in STANDARD_TEMPLATES:
        SharedTemplate.objects.get_or_create(
            key=spec["key"], defaults={**spec, "is_standard": True, "updated_by": "platform"}
        )


class Migration(migrations.Migration):
    dependencies = [("correspondence_shared", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
