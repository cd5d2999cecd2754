"""The template list's FilterSet: the desk's filters plus what an ERP pulls by."""

import django_filters
from django.utils.translation import gettext_lazy as _

from tickets.api.filters import updated_after_filter
from tickets.api.pagination import SYNC_ORDERING

from ..filters import TemplateFilter

# The library's own order (by code, as the desk lists it), or by last change for a sync.
# A text search only filters, it does not rank, so a cursor over either order is exact.
TEMPLATE_ORDERINGS = {"code": ("code", "id"), "updated": SYNC_ORDERING}


class TemplateApiFilter(TemplateFilter):
    """``TemplateFilter`` plus ``updated_after`` and ``order``. With ``updated_after``
    and no ``order`` the list comes by last change, as every "changed since" list."""

    updated_after = updated_after_filter()
    order = django_filters.ChoiceFilter(choices=[("code", _("Code")), ("updated", _("Last change"))],
                                        method="order_list", empty_label=None, label=_("Order by"))

    class Meta(TemplateFilter.Meta):
        fields = [*TemplateFilter.Meta.fields, "updated_after", "order"]

    def order_list(self, queryset, name, value: str):
        return queryset.order_by(*TEMPLATE_ORDERINGS[value])
