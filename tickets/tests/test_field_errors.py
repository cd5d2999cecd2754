"""Django's ValidationError in the API's one error shape."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from tickets.services.field_errors import field_errors


def test_errors_about_no_one_field_are_non_field_errors():
    exc = ValidationError({NON_FIELD_ERRORS: ["This dispute already has a return under way."],
                           "received_at": ["Received before the return was agreed."]})
    assert field_errors(exc) == {"non_field_errors": ["This dispute already has a return under way."],
                                 "received_at": ["Received before the return was agreed."]}


def test_a_plain_message_is_a_non_field_error():
    assert field_errors(ValidationError("Not now.")) == {"non_field_errors": ["Not now."]}
    assert field_errors(ValidationError(["One.", "Two."])) == {"non_field_errors": ["One.", "Two."]}
