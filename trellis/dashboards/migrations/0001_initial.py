import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("pupils", "0002_need_types")]

    operations = [
        migrations.CreateModel(
            name="NationalFigure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "measure",
                    models.CharField(
                        choices=[
                            ("sen_support", "Pupils on SEN support (K)"),
                            ("ehc_plan", "Pupils with an EHC plan (E)"),
                            ("boys", "Share who are boys"),
                            ("fsm", "Share eligible for free school meals"),
                            ("need", "Share whose primary need is this"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "group",
                    models.CharField(
                        choices=[("all", "All pupils"), ("K", "SEN support"), ("E", "EHC plan"), ("N", "No SEN")],
                        help_text="The pupils the percentage is of",
                        max_length=3,
                    ),
                ),
                ("percent", models.DecimalField(decimal_places=1, max_digits=5)),
                ("year", models.CharField(help_text="Academic year of the census, e.g. 2025/26", max_length=7)),
                ("source", models.CharField(max_length=200)),
                (
                    "need",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to="pupils.needtype"
                    ),
                ),
            ],
            options={"ordering": ["measure", "group", "-year"]},
        ),
        migrations.AddConstraint(
            model_name="nationalfigure",
            constraint=models.UniqueConstraint(fields=("measure", "group", "need", "year"), name="one_national_figure"),
        ),
    ]
