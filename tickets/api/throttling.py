"""Request rate limits per API key (or per signed-in user), answered with 429 and Retry-After."""

import math

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle


class ApiKeyRateThrottle(SimpleRateThrottle):
    """``API_THROTTLE_RATE`` requests per key and period: each integration has its own
    budget, whatever addresses it calls from, and one noisy ERP cannot starve another.

    A fixed window counted with the cache's atomic ``incr`` rather than DRF's default
    list of timestamps: at 1,200 requests a minute that list is a 1,200-item value
    read and rewritten on every request, and two concurrent requests can both read
    the old list and under-count. The price is that a client may spend up to two
    budgets across a window boundary.

    Counts live in Django's default cache, so every web process shares them when the
    cache is Redis (``REDIS_URL``); with the in-process cache each process counts alone.
    """

    scope = "api"

    def get_rate(self):
        # Read per request rather than at import, so a changed setting applies at once.
        return settings.API_THROTTLE_RATE or None

    def get_cache_key(self, request, view):
        user = request.user
        if getattr(user, "is_api_key", False):
            ident = f"key:{user.key.pk}"
        elif user and user.is_authenticated:
            ident = f"user:{user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        ident_key = self.get_cache_key(request, view)
        if ident_key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        key = f"{ident_key}_{window}"
        # add() is a no-op when the window's counter exists; the timeout outlives the
        # window a little so a counter never vanishes before its window ends.
        cache.add(key, 0, timeout=self.duration + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add() and incr()
            cache.add(key, 1, timeout=self.duration + 1)
            count = 1
        return count <= self.num_requests

    def wait(self):
        return max(1, math.ceil(self.window_ends_at - self.now))
