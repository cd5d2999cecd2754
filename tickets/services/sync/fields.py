"""The shape of a sync item, declared once: parsing, error messages and the schema.

A thousand items per request must validate in a few milliseconds each, which
DRF serializers cannot do (they cost about 0.4 ms per order of two lines here).
These parsers are plain functions over the decoded JSON; ``as_serializer()``
turns the same declaration into a DRF serializer so that the OpenAPI schema
documents exactly what is parsed.
"""

import datetime as dt
import re
import time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import serializers


class Invalid(Exception):
    """One field's value is wrong; ``errors`` is a list of messages, or the nested
    errors of an object or a list."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors if isinstance(errors, (dict, list)) else [errors]


class Field:
    required = False
    default = None

    def __init__(self, *, required: bool = False, help_text: str = ""):
        self.required = required
        self.help_text = help_text

    def parse(self, value):
        raise NotImplementedError

    def drf_field(self) -> serializers.Field:
        raise NotImplementedError

    def _drf_options(self) -> dict:
        options = {"required": self.required, "help_text": self.help_text or None}
        if not self.required:
            options["allow_null"] = True
        return options


class Text(Field):
    def __init__(self, max_length: int, *, blank: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length
        self.blank = blank and not self.required

    def parse(self, value):
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise Invalid(_("Expected text."))
        value = value.strip()
        if not value and not self.blank:
            raise Invalid(_("This field may not be blank."))
        if len(value) > self.max_length:
            raise Invalid(_("At most %(n)d characters.") % {"n": self.max_length})
        if "\x00" in value:
            raise Invalid(_("Null characters are not allowed."))
        return value

    def drf_field(self):
        return serializers.CharField(max_length=self.max_length, allow_blank=self.blank, **self._drf_options())


class Regex(Text):
    def __init__(self, pattern: str, message: str, **kwargs):
        super().__init__(**kwargs)
        self.pattern = re.compile(pattern)
        self.message = message

    def parse(self, value):
        value = super().parse(value)
        if value and not self.pattern.fullmatch(value):
            raise Invalid(str(self.message))
        return value

    def drf_field(self):
        return serializers.RegexField(self.pattern.pattern, max_length=self.max_length, allow_blank=self.blank,
                                      **self._drf_options())


class Email(Text):
    def __init__(self, **kwargs):
        super().__init__(254, **kwargs)

    def parse(self, value):
        value = super().parse(value)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                raise Invalid(_("Enter a valid email address.")) from None
        return value

    def drf_field(self):
        return serializers.EmailField(max_length=self.max_length, allow_blank=self.blank, **self._drf_options())


class Choice(Field):
    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.allowed = frozenset(choices.values)

    def parse(self, value):
        if not isinstance(value, str) or value not in self.allowed:
            raise Invalid(_("“%(value)s” is not one of: %(choices)s.") % {
                "value": value, "choices": ", ".join(self.choices.values)})
        return value

    def drf_field(self):
        return serializers.ChoiceField(choices=self.choices.values, **self._drf_options())


class Integer(Field):
    def __init__(self, *, min_value: int = 0, max_value: int = 2**31 - 1, **kwargs):
        super().__init__(**kwargs)
        self.min_value, self.max_value = min_value, max_value

    def parse(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(_("Expected a whole number."))
        if not self.min_value <= value <= self.max_value:
            raise Invalid(_("Expected a number from %(min)d to %(max)d.") % {
                "min": self.min_value, "max": self.max_value})
        return value

    def drf_field(self):
        return serializers.IntegerField(min_value=self.min_value, max_value=self.max_value, **self._drf_options())


MONEY_LIMIT = Decimal("9999999999.99")
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FUTURE_TOLERANCE = 24 * 3600  # seconds


class Money(Field):
    """An amount with at most two decimals, sent as a string ("12.50") or a number."""

    def parse(self, value):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise Invalid(_("Expected an amount such as \"12.50\"."))
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise Invalid(_("Expected an amount such as \"12.50\".")) from None
        if not amount.is_finite():
            raise Invalid(_("Expected an amount such as \"12.50\"."))
        if amount < 0:
            raise Invalid(_("Amounts cannot be negative."))
        if amount > MONEY_LIMIT:
            raise Invalid(_("At most %(limit)s.") % {"limit": MONEY_LIMIT})
        if amount != amount.quantize(Decimal("0.01")):
            raise Invalid(_("At most two decimal places."))
        return amount.quantize(Decimal("0.01"))

    def drf_field(self):
        return serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0),
                                        coerce_to_string=True, **self._drf_options())


class Timestamp(Field):
    """ISO 8601 with a UTC offset (``2026-11-01T10:00:00-0800``, ``...Z``), stored in
    UTC. A time without an offset is refused: the platforms report several zones
    (AliExpress uses US Pacific time), so guessing one would shift clocks by hours."""

    def parse(self, value):
        if not isinstance(value, str) or len(value) < 16 or len(value) > 40:
            raise Invalid(_("Expected an ISO 8601 date and time with a UTC offset, e.g. 2026-11-01T10:00:00-08:00."))
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise Invalid(_(
                "Expected an ISO 8601 date and time with a UTC offset, e.g. 2026-11-01T10:00:00-08:00.")) from None
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise Invalid(_("Add the UTC offset (e.g. -08:00 or Z): a time without one is ambiguous."))
        try:
            moment = moment.astimezone(dt.UTC)
        except OverflowError:
            raise Invalid(_("This date is out of range.")) from None
        # A platform reports what happened; a time days ahead is a wrong clock or a
        # wrong offset, and stored as updated_at it would make every real update stale.
        if moment.timestamp() > time.time() + FUTURE_TOLERANCE:
            raise Invalid(_("This time is in the future."))
        # No marketplace event predates 2000; an ERP sending epoch zero for "unknown"
        # would otherwise open a dispute lapsed decades ago and record its refund.
        if moment < EARLIEST:
            raise Invalid(_("This time is before 2000: leave the field out when the time is not known."))
        return moment

    def drf_field(self):
        return serializers.DateTimeField(**self._drf_options())


class Shape(Field):
    """A JSON object of named fields. Unknown names are errors: an ERP sending
    ``order_no`` instead of ``order_number`` should hear about it, not lose data."""

    def __init__(self, name: str, fields: dict[str, Field], check=None, **kwargs):
        super().__init__(**kwargs)
        self.name = name
        self.fields = fields
        self.names = frozenset(fields)
        self.check = check  # clean values -> field errors across fields (times in order, say)

    def parse(self, value) -> dict:
        if not isinstance(value, dict):
            raise Invalid({"non_field_errors": [_("Expected an object.")]})
        errors, clean = {}, {}
        if not self.names.issuperset(value):
            for key in value.keys() - self.names:
                errors[str(key)] = [_("Unknown field.")]
        for key, field in self.fields.items():
            if key not in value or value[key] is None:
                if field.required:
                    errors[key] = [_("This field is required.")]
                continue
            try:
                clean[key] = field.parse(value[key])
            except Invalid as exc:
                errors[key] = exc.errors
        if not errors and self.check is not None:
            errors = self.check(clean)
        if errors:
            raise Invalid(errors)
        return clean

    def drf_field(self):
        return self.as_serializer()(**self._drf_options())

    def as_serializer(self) -> type[serializers.Serializer]:
        attrs = {key: field.drf_field() for key, field in self.fields.items()}
        attrs["Meta"] = type("Meta", (), {"ref_name": self.name})
        return type(self.name, (serializers.Serializer,), attrs)


class ListOf(Field):
    def __init__(self, shape: Shape, *, max_items: int, min_items: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.shape, self.max_items, self.min_items = shape, max_items, min_items

    def parse(self, value) -> list:
        if not isinstance(value, list):
            raise Invalid(_("Expected a list."))
        if not self.min_items <= len(value) <= self.max_items:
            raise Invalid(_("Expected %(min)d to %(max)d entries.") % {"min": self.min_items, "max": self.max_items})
        clean, errors = [], []
        for entry in value:
            try:
                clean.append(self.shape.parse(entry))
                errors.append({})
            except Invalid as exc:
                errors.append(exc.errors)
        if any(errors):
            raise Invalid(errors)
        return clean

    def drf_field(self):
        return serializers.ListField(child=self.shape.drf_field(), min_length=self.min_items,
                                     max_length=self.max_items, **self._drf_options())


def currency(*, required: bool = False) -> Regex:
    return Regex(r"[A-Z]{3}", _lazy("Expected a three-letter ISO 4217 code in capitals, such as USD."), max_length=3,
                 required=required)


def language() -> Regex:
    return Regex(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", _lazy("Expected a BCP 47 language tag, such as en or zh-Hans."),
                 max_length=20)
