"""Demo stores, their days off, and the team with its printed logins."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import NamedTuple

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Permission

from tickets.choices import Marketplace, Role
from tickets.models import Store, StoreHoliday, User

DEMO_STORES = (
    {"code": "ae-main", "name": "Lumen Home (AliExpress)", "marketplace": Marketplace.ALIEXPRESS,
     "timezone": "Asia/Shanghai", "holiday_country": "CN", "default_language": "en", "working_days": "123456"},
    {"code": "amz-eu", "name": "Lumen Home EU (Amazon)", "marketplace": Marketplace.AMAZON,
     "timezone": "Europe/Berlin", "holiday_country": "DE", "default_language": "de", "working_days": "12345"},
)
DEMO_STORE_HOLIDAYS = {  # (month, day) of the current year
    "ae-main": (((6, 19), "Team day off after the 618 sale"), ((11, 12), "Team day off after Singles' Day")),
    "amz-eu": (((12, 24), "Christmas Eve: office closed"), ((12, 31), "New Year's Eve: office closed")),
}


class DemoUser(NamedTuple):
    username: str
    password: str
    role: str
    stores: tuple  # store codes; empty for an admin, who sees every store
    first_name: str
    last_name: str
    is_staff: bool = False
    is_superuser: bool = False


DEMO_USERS = (
    DemoUser("admin", "demo-admin-2026", Role.ADMIN, (), "Desk", "Admin", is_staff=True, is_superuser=True),
    DemoUser("supervisor", "demo-super-2026", Role.SUPERVISOR, ("ae-main", "amz-eu"), "Yang", "Liu", is_staff=True),
    DemoUser("agent1", "demo-agent-2026", Role.SENIOR_AGENT, ("ae-main",), "Wei", "Li"),
    DemoUser("agent2", "demo-agent-2026", Role.AGENT, ("ae-main",), "Min", "Zhang"),
    DemoUser("agent3", "demo-agent-2026", Role.AGENT, ("amz-eu",), "Jie", "Chen"),
)
# The supervisor runs the Django admin for these apps.
SUPERVISOR_APPS = ("tickets", "templates_lib")


def demo_user(user) -> DemoUser:
    return next(spec for spec in DEMO_USERS if spec.username == user.username)


def demo_store(spec: dict, now: datetime) -> Store:
    store, _ = Store.objects.get_or_create(code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"})
    year = now.astimezone(store.tzinfo).year
    for (month, day), name in DEMO_STORE_HOLIDAYS[store.code]:
        StoreHoliday.objects.get_or_create(store=store, date=date(year, month, day), defaults={"name": name})
    return store


def demo_team(stores: dict) -> list:
    """The demo team, with the printed passwords.

    A password is re-hashed only when the stored hash does not match it: a new hash
    (new salt) would sign every open session out at each ``make run``. Checking or
    hashing is PBKDF2 either way, most of a re-run's time, so each distinct
    (password, stored hash) pair is done once and in parallel (PBKDF2 releases the GIL).
    """
    existing = {u.username: u for u in User.objects.filter(username__in=[spec.username for spec in DEMO_USERS])}
    stored = {spec.username: existing[spec.username].password if spec.username in existing else ""
              for spec in DEMO_USERS}
    pairs = sorted({(spec.password, stored[spec.username]) for spec in DEMO_USERS if stored[spec.username]})
    valid = dict(zip(pairs, _parallel(lambda pair: check_password(*pair), pairs), strict=True))
    stale = sorted({spec.password for spec in DEMO_USERS if not valid.get((spec.password, stored[spec.username]))})
    hashed = dict(zip(stale, _parallel(make_password, stale), strict=True))
    supervisor_perms = list(Permission.objects.filter(content_type__app_label__in=SUPERVISOR_APPS))
    users = []
    for spec in DEMO_USERS:
        user = existing.get(spec.username) or User(username=spec.username)
        user.role, user.first_name, user.last_name = spec.role, spec.first_name, spec.last_name
        user.email = f"{spec.username}@lumen-home.example"
        user.is_staff, user.is_superuser, user.is_active = spec.is_staff, spec.is_superuser, True
        if not valid.get((spec.password, stored[spec.username])):
            user.password = hashed[spec.password]
        user.save()
        user.stores.set([stores[code] for code in spec.stores])
        if spec.role == Role.SUPERVISOR:
            user.user_permissions.set(supervisor_perms)
        users.append(user)
    return users


def _parallel(function, items: list) -> list:
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(function, items))
