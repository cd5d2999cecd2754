"""The email-address rule starts only where an address can start. Without the
look-behind, a long run of letters with no "@" was tried from every position,
in time that grows with the square of its length."""

from django.db import migrations

OLD = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}"
NEW = r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}"


def forward(apps, schema_editor):
    # Only the shipped pattern: a rule someone edited is theirs.
    apps.get_model("templates_lib", "ComplianceRule").objects.filter(code="email-address", pattern=OLD).update(
        pattern=NEW)


def backward(apps, schema_editor):
    apps.get_model("templates_lib", "ComplianceRule").objects.filter(code="email-address", pattern=NEW).update(
        pattern=OLD)


class Migration(migrations.Migration):
    dependencies = [("templates_lib", "0006_template_sync_index")]
    operations = [migrations.RunPython(forward, backward)]
