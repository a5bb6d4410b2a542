"""The scales Trellis ships (DOMAIN.md, "Scales progress is measured on"). Kept here as data, frozen
with this migration: correcting one later is a new migration, and schools add their own in the app."""

from decimal import Decimal

from django.db import migrations

LEUVEN_WELLBEING = [
    ("Extremely low", "The child clearly shows signs of discomfort: whimpering, crying, anger, withdrawal."),
    ("Low", "Posture, facial expression and actions show the child does not feel at ease."),
    ("Moderate", "The child has a neutral posture; few signs of either pleasure or discomfort."),
    ("High", "The child shows obvious signs of satisfaction, but not all the time or not intensely."),
    ("Extremely high", "The child looks happy and cheerful, relaxed, lively and self-confident."),
]
LEUVEN_INVOLVEMENT = [
    ("Extremely low", "Activity is simple, repetitive and passive; the child seems absent and shows no energy."),
    ("Low", "Frequently interrupted activity; the child is engaged for part of the time."),
    ("Moderate", "Mainly continuous activity, but without real concentration or intensity."),
    ("High", "Continuous activity with intense moments; the child is absorbed for much of the time."),
    ("Extremely high", "Total continuous concentration, absorbed, motivated and persistent."),
]
ENGAGEMENT = [
    ("exploration", "Exploration", "Curiosity about a new stimulus or activity; noticing and exploring it."),
    ("realisation", "Realisation", "Doing something new or different with a familiar stimulus or activity."),
    ("anticipation", "Anticipation", "Predicting, expecting or associating a stimulus or activity with an event."),
    ("persistence", "Persistence", "Sustained attention: trying to find out more, keeping going."),
    ("initiation", "Initiation", "Acting independently to investigate, explore or engage."),
]


def ordered(code, name, values, description="", *, linear=True):
    return {
        "code": code,
        "name": name,
        "kind": "ordered",
        "description": description,
        "linear": linear,
        "steps": values,
    }


def numeric(code, name, low, high, step="1", unit="", description="", *, higher=True, bands=()):
    return {
        "code": code,
        "name": name,
        "kind": "numeric",
        "description": description,
        "min": Decimal(low),
        "max": Decimal(high),
        "step": Decimal(step),
        "unit": unit,
        "higher": higher,
        "bands": bands,
    }


NC_LEVELS = [f"{level}{sub}" for level in range(1, 6) for sub in "cba"]
P_SCALES = ["P1i", "P1ii", "P2i", "P2ii", "P3i", "P3ii", "P4", "P5", "P6", "P7", "P8"]
SDQ_SUBSCALES = [
    ("sdq-emotional", "SDQ emotional symptoms", False),
    ("sdq-conduct", "SDQ conduct problems", False),
    ("sdq-hyperactivity", "SDQ hyperactivity/inattention", False),
    ("sdq-peer", "SDQ peer relationship problems", False),
    ("sdq-prosocial", "SDQ prosocial behaviour", True),
]

SCALES = [
    ordered(
        "edsm",
        "Developmental scale",
        [
            ("emerging", "Emerging", "Beginning to show the skill with a lot of support."),
            ("developing", "Developing", "Shows the skill with some support or in familiar settings."),
            ("secure", "Secure", "Shows the skill independently and consistently."),
            ("mastery", "Mastery", "Applies the skill confidently in new contexts."),
        ],
        "Emerging, developing, secure, mastery (Progress X).",
    ),
    ordered(
        "nc-levels",
        "NC levels",
        [(v, "", "") for v in NC_LEVELS],
        "Old National Curriculum levels with sub-levels, 1c lowest to 5a; c < b < a within a level.",
    ),
    ordered(
        "pks",
        "Pre-key stage standards",
        [(f"KS1-{n}", f"KS1 standard {n}", "") for n in range(1, 5)]
        + [(f"PK{n}", f"KS2 pre-key stage standard {n}", "") for n in range(1, 7)],
        "Key stage 1 standards 1 to 4, then key stage 2 standards PK1 to PK6.",
    ),
    ordered(
        "engagement",
        "Engagement model",
        [(v, label, d) for v, label, d in ENGAGEMENT],
        "The engagement model's five areas. Progress is often horizontal (the same area in new "
        "contexts), so a move between areas is not the only sign of progress.",
        linear=False,
    ),
    ordered("p-scales", "P scales", [(v, v, "") for v in P_SCALES], "P1i to P8 (legacy; found in older records)."),
    ordered(
        "leuven-wellbeing",
        "Leuven well-being",
        [(str(n), label, d) for n, (label, d) in enumerate(LEUVEN_WELLBEING, 1)],
        "Leuven scale of well-being, 1 (extremely low) to 5 (extremely high).",
    ),
    ordered(
        "leuven-involvement",
        "Leuven involvement",
        [(str(n), label, d) for n, (label, d) in enumerate(LEUVEN_INVOLVEMENT, 1)],
        "Leuven scale of involvement, 1 (extremely low) to 5 (extremely high).",
    ),
    numeric(
        "boxall",
        "Boxall Profile",
        "0",
        "4",
        "0.1",
        "",
        "Boxall Profile item scores 0 to 4 (a strand is shown as its mean item score). Developmental "
        "strands: higher is better; for diagnostic-profile strands add a school scale with lower "
        "is better.",
    ),
    numeric(
        "sdq-total",
        "SDQ total difficulties",
        "0",
        "40",
        higher=False,
        description="Strengths and Difficulties Questionnaire total difficulties (0 to 40; lower is better). "
        "Teacher-report bands.",
        bands=[
            ("0", "11", "Close to average"),
            ("12", "15", "Slightly raised"),
            ("16", "18", "High"),
            ("19", "40", "Very high"),
        ],
    ),
    *[
        numeric(code, name, "0", "10", higher=higher, description=f"{name} (0 to 10).")
        for code, name, higher in SDQ_SUBSCALES
    ],
    numeric(
        "standardised",
        "Standardised score",
        "40",
        "160",
        description="Standardised score: mean 100, standard deviation 15 (85 to 115 is the average range).",
    ),
    numeric("reading-age", "Reading age", "0", "240", unit="months", description="Reading age in months."),
    numeric("spelling-age", "Spelling age", "0", "240", unit="months", description="Spelling age in months."),
    numeric("percent", "Percentage", "0", "100", "0.1", "%", "A percentage, e.g. attendance or a test score."),
    numeric("count", "Count", "0", "100000", description="A count, e.g. words read or times a week."),
    ordered(
        "effectiveness",
        "Effectiveness rating",
        [
            ("try-something-different", "Need to try something different", ""),
            ("no-change", "No change", ""),
            ("ok", "OK", ""),
        ],
        "Teachers' rating of how well a strategy works (seed 004).",
    ),
]


def ship(apps, schema_editor):
    Scale = apps.get_model("assessment", "Scale")
    ScaleStep = apps.get_model("assessment", "ScaleStep")
    ScaleBand = apps.get_model("assessment", "ScaleBand")
    for spec in SCALES:
        if spec["kind"] == "ordered":
            scale = Scale.objects.create(
                code=spec["code"],
                name=spec["name"],
                kind="ordered",
                description=spec["description"],
                is_linear=spec["linear"],
            )
            ScaleStep.objects.bulk_create(
                ScaleStep(scale=scale, position=n, value=value, label=label, descriptor=descriptor)
                for n, (value, label, descriptor) in enumerate(spec["steps"], 1)
            )
        else:
            scale = Scale.objects.create(
                code=spec["code"],
                name=spec["name"],
                kind="numeric",
                description=spec["description"],
                min_value=spec["min"],
                max_value=spec["max"],
                step=spec["step"],
                unit=spec["unit"],
                higher_is_better=spec["higher"],
            )
            ScaleBand.objects.bulk_create(
                ScaleBand(scale=scale, low=Decimal(low), high=Decimal(high), label=label)
                for low, high, label in spec["bands"]
            )


def unship(apps, schema_editor):
    apps.get_model("assessment", "Scale").objects.filter(school__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(ship, unship)]
