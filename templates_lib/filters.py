"""One FilterSet for templates, shared by the desk's template picker and the API."""

import re

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .models import ReplyTemplate, Scenario, TemplateBody


class TemplateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    scenario = django_filters.ChoiceFilter(choices=Scenario.choices, label=_("Scenario"))
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))
    language = django_filters.CharFilter(method="filter_language", label=_("Language"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = ReplyTemplate
        fields = ["q", "scenario", "tag", "language", "is_active"]

    def filter_text(self, queryset, name, value):
        """Code, title, tags, or any current text or title in any language."""
        value = value.strip()
        if not value:
            return queryset
        # EXISTS rather than a join: a template matching in three languages is listed once.
        in_bodies = TemplateBody.objects.filter(template=OuterRef("pk"), is_current=True).filter(
            Q(body__icontains=value) | Q(title__icontains=value))
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value) | Q(tags__icontains=value)
                               | Exists(in_bodies))

    def filter_tag(self, queryset, name, value):
        value = value.strip().lower()
        if not value:
            return queryset
        # Tags are one comma-separated cell: match a whole tag, not part of another.
        return queryset.filter(tags__iregex=r"(^|,)\s*" + re.escape(value) + r"\s*(,|$)")

    def filter_language(self, queryset, name, value):
        value = value.strip().lower()
        if not value:
            return queryset
        return queryset.filter(Exists(TemplateBody.objects.filter(template=OuterRef("pk"), is_current=True,
                                                                  language__iexact=value)))
