"""Seal the two-factor secrets stored in the clear before trellis.accounts.secret_box existed."""

from django.db import migrations

FIELDS = {"totp": "secret", "recovery_codes": "seed"}


def seal_existing(apps, schema_editor):
    from trellis.accounts import secret_box

    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=FIELDS):
        name = FIELDS[authenticator.type]
        value = authenticator.data.get(name)
        if value and not secret_box.is_sealed(value):
            authenticator.data[name] = secret_box.seal(value)
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_role_pupil"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
