"""Serializers of the template API. They parse and shape; services decide."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickets.api.strict import StrictFieldsMixin
from tickets.choices import Marketplace

from ..models import ReplyTemplate, Scenario, TemplateBody


class TemplateBodySerializer(serializers.ModelSerializer):
    class Meta:
        model = TemplateBody
        fields = ["id", "language", "version", "title", "body", "is_current", "origin", "created_at"]


class ReplyTemplateSerializer(serializers.ModelSerializer):
    languages = serializers.SerializerMethodField()

    class Meta:
        model = ReplyTemplate
        fields = ["id", "store", "code", "title", "scenario", "marketplaces", "tags", "is_active", "languages",
                  "updated_at"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_languages(self, obj):
        return sorted(b.language for b in getattr(obj, "current_bodies", []))


class ReplyTemplateDetailSerializer(ReplyTemplateSerializer):
    bodies = serializers.SerializerMethodField()

    class Meta(ReplyTemplateSerializer.Meta):
        fields = [*ReplyTemplateSerializer.Meta.fields, "bodies"]

    @extend_schema_field(TemplateBodySerializer(many=True))
    def get_bodies(self, obj):
        return TemplateBodySerializer(sorted(getattr(obj, "current_bodies", []), key=lambda b: b.language),
                                      many=True).data


class BodyValueField(serializers.JSONField):
    """A language's text: a string, or ``{"title": ..., "body": ...}``."""


class TemplateWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    store = serializers.IntegerField(required=False, allow_null=True,
                                     help_text=_("Store id; empty or absent for the shared library."))
    code = serializers.SlugField(max_length=60)
    title = serializers.CharField(max_length=200)
    scenario = serializers.ChoiceField(choices=Scenario.choices)
    marketplaces = serializers.ListField(child=serializers.ChoiceField(choices=Marketplace.choices), required=False,
                                         default=list)
    tags = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)
    bodies = serializers.DictField(child=BodyValueField(), required=False,
                                   help_text=_('Texts by language: {"fr": "text"} or {"fr": {"title": "...", '
                                               '"body": "..."}}. A changed text becomes a new version.'))

    def validate_bodies(self, value):
        for language, item in value.items():
            if isinstance(item, str):
                continue
            if not (isinstance(item, dict) and isinstance(item.get("body"), str)
                    and isinstance(item.get("title", ""), str)):
                raise serializers.ValidationError(
                    _("%(language)s: give a text, or an object with a text in \"body\".") % {"language": language})
        return value


class RenderInputSerializer(StrictFieldsMixin, serializers.Serializer):
    ticket = serializers.IntegerField()
    language = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                     help_text=_("Default: the buyer's language."))
    values = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False, default=dict,
                                   help_text=_('Values for the remaining placeholders: {"Solution": "..."}.'))


class RenderResultSerializer(serializers.Serializer):
    text = serializers.CharField()
    language = serializers.CharField()
    fell_back = serializers.BooleanField(help_text=_("True when the buyer's language had no text and English "
                                                     "was used."))
    unfilled = serializers.ListField(child=serializers.CharField(),
                                     help_text=_("Placeholders still to fill; such a reply cannot be sent."))
    template_body = serializers.IntegerField(help_text=_("The exact version used; send it with the reply."))
    version = serializers.IntegerField()


class SuggestionQuerySerializer(serializers.Serializer):
    ticket = serializers.IntegerField()
    limit = serializers.IntegerField(required=False, default=5, min_value=1, max_value=50)


class SuggestionSerializer(serializers.Serializer):
    template = ReplyTemplateSerializer()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class EffectivenessSerializer(serializers.Serializer):
    template = serializers.IntegerField()
    language = serializers.CharField()
    uses = serializers.IntegerField()
    median_hours = serializers.FloatField(allow_null=True,
                                          help_text=_("Median hours from a send to its ticket's resolution."))
    disputed = serializers.IntegerField(help_text=_("Tickets with a resolved dispute."))
    agreed = serializers.IntegerField()
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    agreed_share = serializers.FloatField(allow_null=True)
    won_share = serializers.FloatField(allow_null=True)
    lost_share = serializers.FloatField(allow_null=True)
