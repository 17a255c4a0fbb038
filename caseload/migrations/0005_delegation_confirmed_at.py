# Delegation by consent (issue 14): a delegation gives access only once the councillor has
# confirmed it. The delegations that exist when this runs were made under the old rule, by
# which a council admin's grant alone was enough, and staff are working on those councillors'
# cases today; withdrawing that access overnight would stop Members' Services mid-case with
# no warning to anyone. They are therefore marked confirmed as of their creation (under the
# old rule), and each councillor sees them on /delegations/ where one click revokes any they
# did not know about. New ones need the councillor's confirmation.

from django.db import migrations, models
from django.db.models import F


def confirm_existing(apps, schema_editor):
    Delegation = apps.get_model("caseload", "Delegation")
    Delegation.objects.filter(confirmed_at__isnull=True).update(confirmed_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("caseload", "0004_action_kind_reminder"),
    ]

    operations = [
        migrations.AddField(
            model_name="delegation",
            name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(confirm_existing, migrations.RunPython.noop),
    ]
