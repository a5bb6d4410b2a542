"""Census SEN types of need (DOMAIN.md). Kept as rows, not code, so the list can be corrected."""

from django.db import migrations

NEED_TYPES = [
    ("SLCN", "Speech, language and communication needs", "Communication and interaction"),
    ("ASD", "Autistic spectrum disorder", "Communication and interaction"),
    ("SPLD", "Specific learning difficulty", "Cognition and learning"),
    ("MLD", "Moderate learning difficulty", "Cognition and learning"),
    ("SLD", "Severe learning difficulty", "Cognition and learning"),
    ("PMLD", "Profound and multiple learning difficulty", "Cognition and learning"),
    ("DS", "Down syndrome", "Cognition and learning"),  # new from the January 2025 census (check)
    ("SEMH", "Social, emotional and mental health", "Social, emotional and mental health"),
    ("HI", "Hearing impairment", "Sensory and/or physical"),
    ("VI", "Visual impairment", "Sensory and/or physical"),
    ("MSI", "Multi-sensory impairment", "Sensory and/or physical"),
    ("PD", "Physical disability", "Sensory and/or physical"),
    ("OTH", "Other difficulty/disability", "Uncategorised"),
    ("NSA", "SEN support but no specialist assessment of type of need", "Uncategorised"),
]


def add_need_types(apps, schema_editor):
    NeedType = apps.get_model("pupils", "NeedType")
    for order, (code, name, area) in enumerate(NEED_TYPES, start=1):
        NeedType.objects.update_or_create(code=code, defaults={"name": name, "broad_area": area, "order": order})


class Migration(migrations.Migration):
    dependencies = [("pupils", "0001_initial")]
    operations = [migrations.RunPython(add_need_types, migrations.RunPython.noop)]
