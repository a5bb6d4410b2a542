"""The effectiveness rating's description named our source document ("seed 004"): say what it is."""

from django.db import migrations

OLD = "Teachers' rating of how well a strategy works (seed 004)."
NEW = "Teachers' rating of how well a strategy works for this pupil."


def forwards(apps, schema_editor):
    apps.get_model("assessment", "Scale").objects.filter(description=OLD).update(description=NEW)


def backwards(apps, schema_editor):
    apps.get_model("assessment", "Scale").objects.filter(description=NEW).update(description=OLD)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0003_text_limits")]
    operations = [migrations.RunPython(forwards, backwards)]
