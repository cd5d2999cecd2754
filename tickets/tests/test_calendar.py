"""The working calendar and the first-response due time, without a database.

Expected instants are written out in UTC by hand (not computed with the zone
arithmetic under test), and compared to the second. Dates used:
2025-03-10 is a Monday; Europe/Berlin changes to summer time on Sunday 2025-03-30
and back on Sunday 2025-10-26; America/Los_Angeles on Sunday 2025-03-09 and
Sunday 2025-11-02. Asia/Shanghai is UTC+8 all year.
"""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from tickets.services.calendar import (
    WorkingCalendar,
    add_working_time,
    first_response_due,
    has_make_up_days,
    is_working_time,
)

from .factories import StoreFactory

UTC = dt.UTC
H = dt.timedelta(hours=1)
SHANGHAI = WorkingCalendar("Asia/Shanghai")
BERLIN = WorkingCalendar("Europe/Berlin")
LOS_ANGELES = WorkingCalendar("America/Los_Angeles")
EVERY_DAY = frozenset(range(1, 8))
ROUND_THE_CLOCK = {"work_start": dt.time(0, 0), "work_end": dt.time(23, 59, 59), "working_days": EVERY_DAY}


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def local(timezone: str, *args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(timezone))


def shown(moment: dt.datetime, cal: WorkingCalendar) -> str:
    """The instant on the store's wall clock, with the zone's abbreviation."""
    return moment.astimezone(cal.tz).strftime("%Y-%m-%d %H:%M:%S %Z")


def aliexpress_due(cal: WorkingCalendar, received_at: dt.datetime) -> tuple[dt.datetime, dict]:
    """The AliExpress first-response rule: 3 h inside working hours, 6 h outside, 24 h at most."""
    return first_response_due(cal, received_at, inside=3 * H, outside=6 * H, cap=24 * H)


# Working time ---------------------------------------------------------------------------
@pytest.mark.parametrize(("moment", "working"), [
    (utc(2025, 3, 10, 0, 59, 59), False),  # Monday 08:59:59 in Shanghai
    (utc(2025, 3, 10, 1, 0, 0), True),  # 09:00:00 opens
    (utc(2025, 3, 10, 13, 59, 59), True),  # 21:59:59
    (utc(2025, 3, 10, 14, 0, 0), False),  # 22:00:00 closes
    (utc(2025, 3, 14, 13, 0), True),  # Friday 21:00
    (utc(2025, 3, 15, 2, 0), False),  # Saturday 10:00
    (utc(2025, 3, 16, 2, 0), False),  # Sunday 10:00
    (utc(2025, 3, 9, 20, 0), False),  # Sunday in UTC, Monday 04:00 in Shanghai
])
def test_working_time_in_a_shanghai_store(moment, working):
    assert is_working_time(SHANGHAI, moment) is working


@pytest.mark.parametrize(("moment", "working"), [
    (utc(2025, 3, 10, 7, 59, 59), False),  # Monday 08:59:59 CET (UTC+1)
    (utc(2025, 3, 10, 8, 0), True),  # 09:00 CET
    (utc(2025, 3, 10, 20, 59, 59), True),  # 21:59:59 CET
    (utc(2025, 3, 10, 21, 0), False),  # 22:00 CET
    (utc(2025, 6, 16, 6, 59, 59), False),  # Monday 08:59:59 CEST (UTC+2)
    (utc(2025, 6, 16, 7, 0), True),  # 09:00 CEST: the same wall clock, an hour earlier in UTC
    (utc(2025, 6, 16, 19, 59, 59), True),
    (utc(2025, 6, 16, 20, 0), False),  # 22:00 CEST
    (utc(2025, 6, 14, 10, 0), False),  # Saturday
])
def test_working_time_in_a_berlin_store(moment, working):
    assert is_working_time(BERLIN, moment) is working


def test_the_store_day_decides_not_the_utc_day():
    # Friday 21:00 in Los Angeles is already Saturday in UTC.
    assert is_working_time(LOS_ANGELES, utc(2025, 3, 15, 4, 0)) is True
    # Monday 07:00 in Shanghai is still Sunday in UTC.
    assert is_working_time(SHANGHAI, utc(2025, 3, 9, 23, 0)) is False
    assert is_working_time(SHANGHAI, utc(2025, 3, 10, 1, 0)) is True


def test_chinese_public_holidays_are_days_off():
    cal = WorkingCalendar("Asia/Shanghai", holiday_country="CN")
    national_day = utc(2025, 10, 1, 2, 0)  # Wednesday 1 October, 10:00 in Shanghai
    assert is_working_time(cal, national_day) is False
    assert is_working_time(SHANGHAI, national_day) is True  # without the country's holidays
    assert cal.is_holiday(dt.date(2025, 1, 29))  # Spring Festival
    assert is_working_time(cal, utc(2025, 10, 9, 2, 0)) is True  # Thursday after the Golden Week


def test_chinese_make_up_working_days_are_worked():
    # China moves weekdays around its holidays: Saturday 14 February 2026 is worked for
    # Friday 20 February off (Spring Festival), Sunday 4 January 2026 for Friday 2 January.
    cal = WorkingCalendar("Asia/Shanghai", holiday_country="CN")
    assert cal.is_working_day(dt.date(2026, 2, 14))
    assert cal.is_working_day(dt.date(2026, 1, 4))
    assert not cal.is_working_day(dt.date(2026, 2, 20))
    assert not cal.is_working_day(dt.date(2026, 1, 2))
    assert not cal.is_working_day(dt.date(2026, 2, 21))  # an ordinary Saturday
    assert not SHANGHAI.is_working_day(dt.date(2026, 2, 14))  # without the country's calendar
    assert is_working_time(cal, utc(2026, 2, 14, 2, 0)) is True  # Saturday 10:00 in Shanghai
    # A store's own day off wins over the make-up day.
    closed = WorkingCalendar("Asia/Shanghai", holiday_country="CN", holiday_dates=frozenset({dt.date(2026, 2, 14)}))
    assert not closed.is_working_day(dt.date(2026, 2, 14))


def test_only_countries_that_move_workdays_have_make_up_days():
    assert has_make_up_days("CN")
    assert not has_make_up_days("DE")
    assert not has_make_up_days("ZZ")


def test_a_make_up_saturday_counts_as_working_time():
    cal = WorkingCalendar("Asia/Shanghai", holiday_country="CN")
    # Friday 13 February 2026 21:30: 30 minutes that evening, then the make-up Saturday
    # from 09:00: 11:30 Saturday, not the 24-hour cap that a weekend would give.
    due, basis = aliexpress_due(cal, utc(2026, 2, 13, 13, 30))
    assert due == utc(2026, 2, 14, 3, 30)
    assert basis["capped"] is False
    due, basis = aliexpress_due(SHANGHAI, utc(2026, 2, 13, 13, 30))
    assert due == utc(2026, 2, 14, 13, 30)
    assert basis["capped"] is True


def test_german_public_holidays_are_days_off():
    cal = WorkingCalendar("Europe/Berlin", holiday_country="DE")
    unity_day = utc(2025, 10, 3, 8, 0)  # Friday 3 October, 10:00 CEST
    assert is_working_time(cal, unity_day) is False
    assert is_working_time(cal, utc(2025, 10, 2, 8, 0)) is True
    assert cal.is_holiday(dt.date(2025, 12, 25))
    assert not cal.is_holiday(dt.date(2025, 10, 1))  # China's holiday is not Germany's


def test_an_unknown_holiday_country_adds_no_holidays():
    cal = WorkingCalendar("Asia/Shanghai", holiday_country="ZZ")
    assert is_working_time(cal, utc(2025, 10, 1, 2, 0)) is True


def test_a_store_holiday_is_skipped():
    cal = WorkingCalendar("Asia/Shanghai", holiday_dates=frozenset({dt.date(2025, 3, 11)}))
    assert is_working_time(cal, utc(2025, 3, 11, 2, 0)) is False
    # Monday 21:00: one hour on Monday, Tuesday off, two hours on Wednesday from 09:00.
    assert add_working_time(cal, utc(2025, 3, 10, 13, 0), 3 * H) == utc(2025, 3, 12, 3, 0)


def test_public_holidays_are_skipped_when_adding_working_time():
    cal = WorkingCalendar("Asia/Shanghai", holiday_country="CN")
    # Tuesday 30 September 21:00: one hour, then 1-8 October off (holidays and a weekend),
    # two more hours from Thursday 9 October 09:00.
    assert add_working_time(cal, utc(2025, 9, 30, 13, 0), 3 * H) == utc(2025, 10, 9, 3, 0)
    germany = WorkingCalendar("Europe/Berlin", holiday_country="DE")
    # Thursday 2 October 21:30 CEST: 30 minutes, then Friday (Unity Day) and the weekend.
    assert add_working_time(germany, utc(2025, 10, 2, 19, 30), 3 * H) == utc(2025, 10, 6, 9, 30)


def test_a_calendar_without_working_days_gives_up():
    cal = WorkingCalendar("Asia/Shanghai", working_days=frozenset())
    assert add_working_time(cal, utc(2025, 3, 10, 2, 0), H) is None
    due, basis = aliexpress_due(cal, utc(2025, 3, 10, 2, 0))
    assert due == utc(2025, 3, 11, 2, 0)
    assert basis["capped"] is True


def test_the_calendar_describes_itself():
    cal = WorkingCalendar("Asia/Shanghai", holiday_country="CN", holiday_dates=frozenset({dt.date(2025, 3, 11)}))
    assert cal.describe() == "Asia/Shanghai, days 12345, 09:00-22:00, holidays CN +1 store days off"


# First response -------------------------------------------------------------------------
def test_a_message_inside_working_hours_gets_three_hours():
    due, basis = aliexpress_due(SHANGHAI, utc(2025, 3, 10, 2, 0))  # Monday 10:00
    assert due == utc(2025, 3, 10, 5, 0)  # 13:00
    assert basis == {"received_in_working_hours": True, "allowance_hours": 3.0, "cap_hours": 24.0,
                     "capped": False, "calendar": "Asia/Shanghai, days 12345, 09:00-22:00"}


def test_a_message_outside_working_hours_gets_six_hours_from_the_opening():
    due, basis = aliexpress_due(SHANGHAI, utc(2025, 3, 9, 23, 0))  # Monday 07:00
    assert due == utc(2025, 3, 10, 7, 0)  # 09:00 + 6 h = 15:00
    assert (basis["received_in_working_hours"], basis["allowance_hours"], basis["capped"]) == (False, 6.0, False)


def test_a_message_at_21_59_is_inside_and_one_at_22_00_is_outside():
    inside, inside_basis = aliexpress_due(SHANGHAI, utc(2025, 3, 10, 13, 59))  # Monday 21:59
    # One minute on Monday, then 2 h 59 min from Tuesday 09:00: 11:59.
    assert inside == utc(2025, 3, 11, 3, 59)
    assert inside_basis["received_in_working_hours"] is True
    outside, outside_basis = aliexpress_due(SHANGHAI, utc(2025, 3, 10, 14, 0))  # Monday 22:00
    # Six hours from Tuesday 09:00: 15:00.
    assert outside == utc(2025, 3, 11, 7, 0)
    assert outside_basis["received_in_working_hours"] is False


def test_the_due_time_is_exact_to_the_second():
    due, _ = aliexpress_due(SHANGHAI, utc(2025, 3, 10, 13, 59, 59))  # Monday 21:59:59
    assert due == utc(2025, 3, 11, 3, 59, 59)  # 1 s on Monday, 2:59:59 on Tuesday
    due, _ = aliexpress_due(SHANGHAI, utc(2025, 3, 10, 1, 0, 1))  # Monday 09:00:01
    assert due == utc(2025, 3, 10, 4, 0, 1)


def test_a_friday_evening_message_is_capped_at_24_hours():
    # Friday 21:00: 1 h on Friday + 2 h on Monday would be Monday 11:00; 24 h is Saturday 21:00.
    due, basis = aliexpress_due(SHANGHAI, utc(2025, 3, 14, 13, 0))
    assert due == utc(2025, 3, 15, 13, 0)
    assert basis["capped"] is True
    # Friday 23:00, outside: Monday 15:00 by working time; Saturday 23:00 by the cap.
    due, basis = aliexpress_due(SHANGHAI, utc(2025, 3, 14, 15, 0))
    assert due == utc(2025, 3, 15, 15, 0)
    assert (basis["received_in_working_hours"], basis["capped"]) == (False, True)


def test_a_weekend_message_is_due_within_24_hours():
    due, basis = aliexpress_due(SHANGHAI, utc(2025, 3, 15, 2, 0))  # Saturday 10:00
    assert due == utc(2025, 3, 16, 2, 0)
    assert basis["capped"] is True


def test_a_message_before_a_long_holiday_is_capped():
    cal = WorkingCalendar("Asia/Shanghai", holiday_country="CN")
    due, basis = aliexpress_due(cal, utc(2025, 9, 30, 13, 0))  # Tuesday 30 September 21:00
    assert due == utc(2025, 10, 1, 13, 0)
    assert basis["capped"] is True


# Daylight saving --------------------------------------------------------------------------
def test_berlin_spring_forward_between_two_working_days():
    cal = WorkingCalendar("Europe/Berlin", working_days=EVERY_DAY)
    # Saturday 29 March 21:00 CET: 1 h to 22:00 CET (21:00 UTC), then Sunday 09:00 CEST
    # (07:00 UTC) + 2 h: 11:00 CEST. Thirteen elapsed hours, not fourteen.
    due, _ = aliexpress_due(cal, utc(2025, 3, 29, 20, 0))
    assert due == utc(2025, 3, 30, 9, 0)
    assert shown(due, cal) == "2025-03-30 11:00:00 CEST"
    # Saturday 23:00 CET, outside: 6 h from Sunday 09:00 CEST.
    due, _ = aliexpress_due(cal, utc(2025, 3, 29, 22, 0))
    assert due == utc(2025, 3, 30, 13, 0)


def test_the_24_hour_cap_is_elapsed_time_across_spring_forward():
    # Saturday 29 March 10:00 CET + 24 h = Sunday 11:00 CEST (not 10:00): the cap
    # counts elapsed time, not wall-clock hours.
    due, basis = aliexpress_due(BERLIN, utc(2025, 3, 29, 9, 0))
    assert due == utc(2025, 3, 30, 9, 0)
    assert basis["capped"] is True
    assert shown(due, BERLIN) == "2025-03-30 11:00:00 CEST"


def test_a_received_time_given_in_a_local_zone_is_capped_in_elapsed_time():
    # The same instant as above, given in the store's zone (as a form or the API
    # hands it over when TIME_ZONE is not UTC): the cap must not move by the DST hour.
    due, _ = aliexpress_due(BERLIN, local("Europe/Berlin", 2025, 3, 29, 10, 0))
    assert due == utc(2025, 3, 30, 9, 0)


def test_berlin_fall_back_between_two_working_days():
    cal = WorkingCalendar("Europe/Berlin", working_days=EVERY_DAY)
    # Saturday 25 October 21:00 CEST (19:00 UTC): 1 h, then Sunday 09:00 CET (08:00 UTC) + 2 h.
    due, _ = aliexpress_due(cal, utc(2025, 10, 25, 19, 0))
    assert due == utc(2025, 10, 26, 10, 0)
    assert shown(due, cal) == "2025-10-26 11:00:00 CET"


def test_working_time_across_the_night_of_the_change_is_elapsed_time():
    cal = WorkingCalendar("Europe/Berlin", **ROUND_THE_CLOCK)
    # Spring: 01:00 CET + 3 working hours = 03:00 UTC, which the wall clock shows as 05:00.
    assert add_working_time(cal, local("Europe/Berlin", 2025, 3, 30, 1, 0), 3 * H) == utc(2025, 3, 30, 3, 0)
    # Autumn: 01:00 CEST + 3 working hours = 02:00 UTC, shown as 03:00 CET.
    assert add_working_time(cal, local("Europe/Berlin", 2025, 10, 26, 1, 0), 3 * H) == utc(2025, 10, 26, 2, 0)
    # The repeated hour in Los Angeles: 01:30 PDT + 1 h is 01:30 PST (the second 01:30).
    la = WorkingCalendar("America/Los_Angeles", **ROUND_THE_CLOCK)
    due = add_working_time(la, local("America/Los_Angeles", 2025, 11, 2, 1, 30), H)
    assert due == utc(2025, 11, 2, 9, 30)
    assert shown(due, la) == "2025-11-02 01:30:00 PST"


def test_los_angeles_spring_forward():
    cal = WorkingCalendar("America/Los_Angeles", working_days=EVERY_DAY)
    # Saturday 8 March 21:30 PST (05:30 UTC): 30 min to 22:00 PST, then Sunday 09:00 PDT
    # (16:00 UTC) + 2 h 30.
    due, _ = aliexpress_due(cal, utc(2025, 3, 9, 5, 30))
    assert due == utc(2025, 3, 9, 18, 30)


def test_los_angeles_fall_back():
    cal = WorkingCalendar("America/Los_Angeles", working_days=EVERY_DAY)
    # Saturday 1 November 21:30 PDT (04:30 UTC): 30 min, then Sunday 09:00 PST (17:00 UTC) + 2 h 30.
    due, _ = aliexpress_due(cal, utc(2025, 11, 2, 4, 30))
    assert due == utc(2025, 11, 2, 19, 30)


def test_working_windows_follow_the_offset_of_each_day():
    assert BERLIN.window(dt.date(2025, 3, 28)) == (utc(2025, 3, 28, 8, 0), utc(2025, 3, 28, 21, 0))
    assert BERLIN.window(dt.date(2025, 3, 31)) == (utc(2025, 3, 31, 7, 0), utc(2025, 3, 31, 20, 0))
    assert LOS_ANGELES.window(dt.date(2025, 11, 3)) == (utc(2025, 11, 3, 17, 0), utc(2025, 11, 4, 6, 0))


# The store's holiday country ---------------------------------------------------------------
@pytest.mark.django_db
def test_a_holiday_country_is_upper_cased_and_must_be_known():
    store = StoreFactory(holiday_country="")
    store.holiday_country = "cn"
    store.full_clean()
    assert store.holiday_country == "CN"

    store.holiday_country = "ZZ"
    with pytest.raises(ValidationError) as info:
        store.full_clean()
    assert list(info.value.message_dict) == ["holiday_country"]
    assert "ZZ" in info.value.message_dict["holiday_country"][0]
