# Rows stored before this keep an empty mapping: their wards are shown by key
# (feedback.figures.ward_label), until the next nightly refresh rewrites them with names.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0004_merge_20261205_2017"),
    ]

    operations = [
        migrations.AddField(
            model_name="councilmonthlyfigures",
            name="ward_names",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
