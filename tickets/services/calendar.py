"""Working time of a store: its timezone, working days, hours and holidays.

Pure functions over a ``WorkingCalendar`` value, so the clock arithmetic is tested
without a database or frozen time. Local wall-clock times are turned into aware
datetimes in the store's zone and compared in UTC, which makes DST changes and
weekends fall out of the same code path.
"""

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass, field

import holidays as holiday_calendars

UTC = dt.UTC


@dataclass(frozen=True)
class WorkingCalendar:
    timezone: str
    work_start: dt.time = dt.time(9, 0)
    work_end: dt.time = dt.time(22, 0)
    working_days: frozenset[int] = frozenset({1, 2, 3, 4, 5})  # ISO weekdays
    holiday_dates: frozenset[dt.date] = field(default_factory=frozenset)
    holiday_country: str = ""

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def is_holiday(self, day: dt.date) -> bool:
        if day in self.holiday_dates:
            return True
        if self.holiday_country:
            return day in _country_holidays(self.holiday_country, day.year)
        return False

    def is_make_up_day(self, day: dt.date) -> bool:
        """A weekend day the country works in exchange for a bridge day off (China's
        调休, for one): the team is in, so the buyer's clock runs as on any workday."""
        if not self.holiday_country:
            return False
        return day in getattr(_country_holidays(self.holiday_country, day.year), "weekend_workdays", ())

    def is_working_day(self, day: dt.date) -> bool:
        if self.is_holiday(day):
            return False
        return day.isoweekday() in self.working_days or self.is_make_up_day(day)

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The day's working window as aware UTC datetimes."""
        start = dt.datetime.combine(day, self.work_start, tzinfo=self.tz).astimezone(UTC)
        end = dt.datetime.combine(day, self.work_end, tzinfo=self.tz).astimezone(UTC)
        return start, end

    def describe(self) -> str:
        """The calendar as recorded in a clock's ``basis``: a fixed, untranslated form
        (stored data, like the start event's code), never shown as is. Clock
        explanations read it back and say it in the reader's language
        (``tickets.services.clocks``), so keep the two in step."""
        days = "".join(str(d) for d in sorted(self.working_days))
        return (f"{self.timezone}, days {days}, {self.work_start:%H:%M}-{self.work_end:%H:%M}"
                + (f", holidays {self.holiday_country}" if self.holiday_country else "")
                + (f" +{len(self.holiday_dates)} store days off" if self.holiday_dates else ""))


def has_make_up_days(country: str) -> bool:
    """Whether ``country`` moves weekdays onto weekends around its holidays (China
    does; most countries never do), so that a clock explanation mentions it."""
    return bool(getattr(_country_holidays(country, dt.datetime.now(UTC).year), "weekend_workdays", ()))


@functools.lru_cache(maxsize=256)
def public_holidays_between(country: str, first: dt.date, last: dt.date, *,
                            language: str = "en_US") -> list[tuple[dt.date, str]]:
    """The country's public holidays from ``first`` to ``last`` (both included), with
    their names in ``language`` where the calendar has them, for a clock to say which
    days off it skipped."""
    days = []
    for year in range(first.year, last.year + 1):
        days += [(day, name) for day, name in _named_holidays(country, year, language).items()
                 if first <= day <= last]
    return sorted(days)


@functools.lru_cache(maxsize=64)
def _named_holidays(country: str, year: int, language: str):
    try:
        return holiday_calendars.country_holidays(country, years=year, language=language)
    except NotImplementedError:
        return {}


def _country_holidays(country: str, year: int):
    # Building a country's calendar costs far more than a lookup, and a sync of a
    # thousand messages asks for the same few (country, year) pairs over and over.
    try:
        return holiday_calendars.country_holidays(country, years=year)
    except NotImplementedError:
        return {}


def calendar_for_store(store) -> WorkingCalendar:
    return WorkingCalendar(
        timezone=store.timezone,
        work_start=store.work_start,
        work_end=store.work_end,
        working_days=frozenset(int(d) for d in store.working_days),
        holiday_dates=frozenset(store.holidays.values_list("date", flat=True)),
        holiday_country=store.holiday_country,
    )


def is_working_time(cal: WorkingCalendar, moment: dt.datetime) -> bool:
    local_day = moment.astimezone(cal.tz).date()
    if not cal.is_working_day(local_day):
        return False
    start, end = cal.window(local_day)
    return start <= moment < end


def add_working_time(cal: WorkingCalendar, start: dt.datetime, duration: dt.timedelta,
                     *, max_days: int = 400) -> dt.datetime | None:
    """The moment when ``duration`` of working time has passed after ``start``.

    Walks forward one local day at a time, spending the remaining duration inside
    each working window; gives up after ``max_days`` (a calendar with no working
    day at all), returning None then.
    """
    remaining = duration
    moment = start.astimezone(UTC)
    day = moment.astimezone(cal.tz).date()
    for _ in range(max_days):
        if cal.is_working_day(day):
            window_start, window_end = cal.window(day)
            begin = max(moment, window_start)
            if begin < window_end:
                available = window_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += dt.timedelta(days=1)
    return None


def first_response_due(cal: WorkingCalendar, received_at: dt.datetime, *, inside: dt.timedelta,
                       outside: dt.timedelta, cap: dt.timedelta) -> tuple[dt.datetime, dict]:
    """Due time of the first-response clock for a buyer message, and why.

    Inside working hours the seller has ``inside`` of working time, otherwise
    ``outside`` counted from the next opening; never more than ``cap`` of elapsed
    time after the message.
    """
    inside_hours = is_working_time(cal, received_at)
    allowance = inside if inside_hours else outside
    by_working_time = add_working_time(cal, received_at, allowance)
    # Elapsed time: add in UTC, or a DST change in the caller's zone would move it.
    capped_at = received_at.astimezone(UTC) + cap
    due = capped_at if by_working_time is None else min(by_working_time, capped_at)
    basis = {
        "received_in_working_hours": inside_hours,
        "allowance_hours": allowance.total_seconds() / 3600,
        "cap_hours": cap.total_seconds() / 3600,
        "capped": due == capped_at and (by_working_time is None or by_working_time > capped_at),
        "calendar": cal.describe(),
    }
    return due, basis
