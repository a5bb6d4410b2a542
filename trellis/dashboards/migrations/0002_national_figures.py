"""DfE "Special educational needs in England" figures (see ../shared/DOMAIN.md). Correct them as data."""

from django.db import migrations

SOURCE = "DfE, Special educational needs in England"
FIGURES = [
    # measure, group, need, percent, year
    ("sen_support", "all", None, "14.2", "2024/25"),
    ("ehc_plan", "all", None, "5.3", "2024/25"),
    ("sen_support", "all", None, "14.8", "2025/26"),
    ("ehc_plan", "all", None, "6.0", "2025/26"),
    ("need", "E", "ASD", "33.6", "2024/25"),
    ("need", "K", "SLCN", "25.7", "2024/25"),
    ("boys", "E", None, "71.0", "2024/25"),
    ("boys", "K", None, "61.0", "2024/25"),
    ("fsm", "E", None, "43.8", "2024/25"),
    ("fsm", "K", None, "39.3", "2024/25"),
    ("fsm", "N", None, "22.2", "2024/25"),
]


def add(apps, schema_editor):
    NationalFigure = apps.get_model("dashboards", "NationalFigure")
    NationalFigure.objects.bulk_create(
        NationalFigure(measure=m, group=g, need_id=n, percent=p, year=y, source=SOURCE) for m, g, n, p, y in FIGURES
    )


def remove(apps, schema_editor):
    apps.get_model("dashboards", "NationalFigure").objects.filter(source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
