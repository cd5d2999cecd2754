"""Template context shared by every page."""

from django.utils.functional import SimpleLazyObject

from tickets.selectors import unread_alert_count


def alerts(request):
    """``unread_alert_count`` for the nav badge. Lazy: the COUNT runs once, and only
    on a page that shows it (never for an anonymous visitor or a JSON response)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_alert_count": 0}
    return {"unread_alert_count": SimpleLazyObject(lambda: unread_alert_count(user))}
