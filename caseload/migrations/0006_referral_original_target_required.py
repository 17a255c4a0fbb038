# The original target becomes required once 0005 has filled it in. A separate migration
# (its own transaction): PostgreSQL refuses ALTER TABLE on rows updated in the same
# transaction while deferred foreign-key checks are pending.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('caseload', '0005_officer_authored_history_and_original_targets'),
    ]

    operations = [
        migrations.AlterField(
            model_name='referral',
            name='original_target_date',
            field=models.DateField(),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(('target_date__gte', models.F('original_target_date'))), name='referral_target_not_before_original'),
        ),
    ]
