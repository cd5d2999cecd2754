"""The admin list of template uses: read-only, scoped to the user's stores."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tickets.tests.factories import TemplateUseFactory, TicketFactory

from .helpers import make_template

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:templates_lib_templateuse_changelist"


@pytest.fixture
def supervisor_client(client, supervisor):
    supervisor.is_staff = True
    supervisor.save(update_fields=["is_staff"])
    supervisor.user_permissions.set(Permission.objects.filter(content_type__app_label="templates_lib"))
    client.force_login(supervisor)
    return client


@pytest.fixture
def uses(store, other_store, agent):
    template = make_template(code="shared-delay")
    body = template.bodies.get()
    ours = TemplateUseFactory(ticket=TicketFactory(store=store, subject="Our parcel"), body=body, agent=agent)
    theirs = TemplateUseFactory(ticket=TicketFactory(store=other_store, subject="Their parcel"), body=body)
    return ours, theirs


def test_a_supervisor_lists_only_their_stores_uses(supervisor_client, uses):
    ours, theirs = uses
    response = supervisor_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert listed == [ours]
    html = response.content.decode()
    assert "shared-delay" in html
    assert "Their parcel" not in html


def test_another_stores_use_is_not_found(supervisor_client, uses):
    _ours, theirs = uses
    response = supervisor_client.get(reverse("admin:templates_lib_templateuse_change", args=[theirs.pk]))
    assert response.status_code == 302  # the admin's "doesn't exist" redirect


def test_uses_are_read_only(admin_client, uses):
    ours, _theirs = uses
    assert admin_client.get(reverse("admin:templates_lib_templateuse_add")).status_code == 403
    page = admin_client.get(reverse("admin:templates_lib_templateuse_change", args=[ours.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    response = admin_client.post(reverse("admin:templates_lib_templateuse_delete", args=[ours.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert type(ours).objects.filter(pk=ours.pk).exists()


def test_the_list_shows_version_and_filters(admin_client, uses):
    response = admin_client.get(reverse(CHANGELIST), {"language": "en"})
    assert response.status_code == 200
    assert [c.title for c in response.context["cl"].filter_specs][:1]
    assert len(response.context["cl"].result_list) == 2
