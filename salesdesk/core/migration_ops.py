"""Migration operations of our own."""

from django.db import migrations


class DropKeyIndex(migrations.AlterField):
    """A key loses its index (`db_index=False`, see `core.models.HighVolume`): drop the index.

    Django's own AlterField would do the same on PostgreSQL, but on SQLite it rebuilds the
    whole table to change an index, copying every row: minutes on a company with years of
    documents. The index has the name Django gave it when it made the key, so it is dropped
    by that name on every database; going back creates it again.
    """

    def _key(self, state, app_label):
        model = state.apps.get_model(app_label, self.model_name)
        return model, model._meta.get_field(self.name)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model, field = self._key(from_state, app_label)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        name = schema_editor._create_index_name(model._meta.db_table, [field.column])
        schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model, field = self._key(to_state, app_label)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    def describe(self):
        return f"Drop the index of {self.model_name}.{self.name}"
