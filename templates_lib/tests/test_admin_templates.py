"""The template admin: a changed text is a new version, checked like any other; the
effectiveness report; compliance rules edited by admins."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from templates_lib.models import ComplianceRule, TemplateBody
from tickets.tests.factories import TemplateUseFactory
from tickets.tests.test_admin import admin_url, change_form_data

from .helpers import make_template

pytestmark = pytest.mark.django_db


def test_changing_a_text_in_the_admin_adds_a_version(admin_client, admin_user, store):
    template = make_template(store=store, bodies={"en": "Old [Order Number]"})
    url, data = change_form_data(admin_client, template, **{"bodies-0-body": "New [Order Number]"})

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    versions = list(TemplateBody.objects.filter(template=template).order_by("version")
                    .values_list("version", "body", "is_current", "created_by"))
    assert versions == [(1, "Old [Order Number]", False, None), (2, "New [Order Number]", True, admin_user.pk)]


def test_a_forbidden_or_unknown_text_is_refused_on_the_page(admin_client, store):
    template = make_template(store=store, bodies={"en": "Old [Order Number]"})
    url, data = change_form_data(admin_client, template, **{"bodies-0-body": "PayPal me [Coupon]"})

    response = admin_client.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Unknown placeholder: [Coupon]." in html
    assert "“Payment outside the platform” forbids: paypal" in html
    assert TemplateBody.objects.filter(template=template).count() == 1


def test_a_bad_marketplace_is_refused_on_its_field(admin_client, store):
    template = make_template(store=store)
    url, data = change_form_data(admin_client, template, marketplaces='["wish"]')
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "marketplaces" in response.context["adminform"].form.errors


def test_the_effectiveness_report(admin_client, store):
    template = make_template(code="late", bodies={"en": "Late [Order Number]"})
    TemplateUseFactory(ticket__store=store, body=template.bodies.get())
    assert 'href="/admin/templates_lib/replytemplate/effectiveness/"' in admin_client.get(
        admin_url(template, "changelist")).content.decode()

    response = admin_client.get(reverse("admin:templates_lib_replytemplate_effectiveness"))

    assert response.status_code == 200
    assert [(r["template_obj"].code, r["language"], r["uses"]) for r in response.context["rows"]] == [
        ("late", "en", 1)]


def test_a_new_rule_warns_about_texts_that_break_it(admin_client):
    make_template(code="late", bodies={"en": "Try our shop on Temu [Order Number]"})
    response = admin_client.post(reverse("admin:templates_lib_compliancerule_add"), {
        "code": "no-temu", "name": "Competitor", "category": "outside_link", "kind": "keywords",
        "pattern": "temu", "is_active": "on"}, follow=True)
    assert ComplianceRule.objects.filter(code="no-temu").exists()
    assert "Current texts that break this rule: late [en]" in response.content.decode()


def test_a_supervisor_reads_but_does_not_edit_rules(client, supervisor):
    supervisor.is_staff = True
    supervisor.save(update_fields=["is_staff"])
    supervisor.user_permissions.set(Permission.objects.filter(content_type__app_label="templates_lib"))
    client.force_login(supervisor)
    rule = ComplianceRule.objects.first()

    assert client.get(admin_url(rule, "change")).status_code == 200
    response = client.post(admin_url(rule, "change"), {"code": rule.code, "name": "x", "category": rule.category,
                                                       "kind": rule.kind, "pattern": "x"})
    assert response.status_code == 403
