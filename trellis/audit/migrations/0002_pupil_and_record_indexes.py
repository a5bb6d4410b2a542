"""The audit trail's indexes for a table of tens of millions of rows (bench/audit_growth.py).

Every page writes audit events, so on PostgreSQL the indexes are built and dropped CONCURRENTLY:
pages keep working while a large trail is indexed (this is why the migration is not atomic).
"""

from django.db import migrations, models


def _concurrently(schema_editor) -> dict:
    return {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}


class AddIndexWithoutLocking(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, **_concurrently(schema_editor))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, **_concurrently(schema_editor))


class RemoveIndexWithoutLocking(migrations.RemoveIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = from_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            schema_editor.remove_index(model, index, **_concurrently(schema_editor))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            schema_editor.add_index(model, index, **_concurrently(schema_editor))


SINGLE_PUPIL_INDEX = "audit_auditevent_pupil_id_f0d4580f"  # pupil_id's own index (db_index=True until now)


def drop_single_pupil_index(apps, schema_editor):
    how = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'DROP INDEX {how}IF EXISTS "{SINGLE_PUPIL_INDEX}"')


def create_single_pupil_index(apps, schema_editor):
    how = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'CREATE INDEX {how}"{SINGLE_PUPIL_INDEX}" ON "audit_auditevent" ("pupil_id")')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        # The pupil-first index below serves every query the single-column one did.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="auditevent", name="pupil_id", field=models.BigIntegerField(null=True))
            ],
            database_operations=[
                migrations.RunPython(drop_single_pupil_index, create_single_pupil_index, elidable=False)
            ],
        ),
        AddIndexWithoutLocking(
            model_name="auditevent",
            index=models.Index(fields=["pupil_id", "-at", "-id"], name="audit_pupil_newest"),
        ),
        RemoveIndexWithoutLocking(model_name="auditevent", name="audit_audit_pupil_i_4962d0_idx"),
        AddIndexWithoutLocking(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("action__in", ["update", "delete"])),
                fields=["record_type", "record_id", "-at", "-id"],
                name="audit_record_changes",
            ),
        ),
    ]
