"""Platform times that must come in order (a return received no earlier than it was
agreed, say), checked before anything is written and refused by field."""

import datetime as dt

from django.utils import timezone


def time_label(moment: dt.datetime) -> str:
    """A platform time as an error shows it: UTC, to the second only when it has seconds."""
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC" if moment.second else "%Y-%m-%d %H:%M UTC")


def time_order_errors(*, order: dict, before: dict, known: dict, new: dict) -> dict:
    """Field errors for each time in ``new`` (field: time) earlier than a time it must
    follow by ``order``, taken from ``new`` or else ``known``. The error names the
    latest such time, in the words of ``before``."""
    times = {**known, **new}
    errors = {}
    for name, moment in new.items():
        preceding = [(times[e], e) for e in order[name] if times.get(e) is not None and moment < times[e]]
        if preceding:
            at, earlier = max(preceding)
            errors[name] = [before[earlier] % {"time": time_label(at)}]
    return errors


def desk_time(*, order: dict, name: str, known: dict) -> dt.datetime:
    """The desk's own "now" for ``name`` when the platform gave no time: never before
    the times it must follow, since the desk's clock and the platform's can disagree
    by a little and a step is not refused for the platform's clock running ahead."""
    return max([timezone.now(), *(known[e] for e in order[name] if known.get(e) is not None)])
