# The reporter's identity encrypted at rest (issue 19 item 8): name, phone and address become one
# Fernet token (integrity.crypto, keys from PORTAL_REPORTER_KEYS / PORTAL_REPORTER_KEY_FILE); existing
# rows are encrypted here, then the clear-text columns are dropped.

from django.db import migrations, models


def identities_seal(apps, schema_editor):
    from integrity.crypto import identity_seal

    ClueReporter = apps.get_model("integrity", "ClueReporter")
    for row in ClueReporter.objects.filter(identity="").iterator():
        row.identity = identity_seal({"name": row.name, "phone": row.phone, "address": row.address})
        row.save(update_fields=["identity"])


def identities_open(apps, schema_editor):
    from integrity.crypto import identity_open

    ClueReporter = apps.get_model("integrity", "ClueReporter")
    for row in ClueReporter.objects.exclude(identity="").iterator():
        identity = identity_open(row.identity)
        row.name, row.phone, row.address = identity["name"], identity["phone"], identity["address"]
        row.save(update_fields=["name", "phone", "address"])


class Migration(migrations.Migration):

    dependencies = [
        ("integrity", "0003_phone_numbers_normalised"),
    ]

    operations = [
        migrations.AddField(
            model_name="cluereporter",
            name="identity",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="举报人信息（加密）"),
        ),
        migrations.RunPython(identities_seal, identities_open, elidable=False),
        migrations.RemoveField(model_name="cluereporter", name="address"),
        migrations.RemoveField(model_name="cluereporter", name="name"),
        migrations.RemoveField(model_name="cluereporter", name="phone"),
    ]
