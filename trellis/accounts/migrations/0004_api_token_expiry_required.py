from django.db import migrations, models


class Migration(migrations.Migration):
    # Its own migration (transaction): PostgreSQL refuses to alter a table whose rows the same
    # transaction has just updated while deferred foreign-key checks are pending.
    dependencies = [
        ("accounts", "0003_api_token_scope_expiry"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
