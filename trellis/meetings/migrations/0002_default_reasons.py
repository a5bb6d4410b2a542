"""The list of reasons for slower progress every trust starts with (a trust or a school adds to it)."""

from django.db import migrations

REASONS = [
    "Attendance or punctuality",
    "Missed sessions of the support or intervention",
    "Illness or medical needs",
    "Change at home or in family circumstances",
    "Emotional wellbeing or anxiety",
    "Need not yet fully identified",
    "Target too big a step or not specific enough",
    "Support not delivered as planned",
    "Staff absence or change of staff",
    "Transition (new class, teacher or school)",
    "Engagement or motivation",
    "Progress shown in new contexts rather than new skills (horizontal)",
]


def add(apps, schema_editor):
    Reason = apps.get_model("meetings", "SlowProgressReason")
    Reason.objects.bulk_create(Reason(text=text, order=n) for n, text in enumerate(REASONS, 1))


def remove(apps, schema_editor):
    apps.get_model("meetings", "SlowProgressReason").objects.filter(trust=None, school=None).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
