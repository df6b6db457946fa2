"""Sign-in throttling: a growing delay between failed attempts and a lockout, per session and per user name.

Issue 10: 40 wrong passwords in one session met no delay and no lockout. Now every failure is counted
under each key it belongs to (the browser session, the user name typed, the client address when known);
after n failures the next attempt under that key must wait ``min(base * 2**(n-1), max_delay)`` seconds,
and after ``lock_after`` failures the key is locked for ``lock_seconds``. A wait is enforced by refusing
the early attempt, never by sleeping a server thread. The clock is injectable, so tests need no sleep.

Unknown user names are counted like known ones (a lockout must not tell which names exist). A per-user
lockout lets someone lock a real user out for 15 minutes: the price of stopping password guessing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

LOCK_AFTER = 10
LOCK_SECONDS = 15 * 60
BASE_DELAY = 1.0
MAX_DELAY = 60.0
MAX_KEYS = 50_000  # the table cannot grow without bound under a flood of made-up names


@dataclass
class Throttle:
    clock: Callable[[], float] = time.monotonic
    lock_after: int = LOCK_AFTER
    lock_seconds: float = LOCK_SECONDS
    base_delay: float = BASE_DELAY
    max_delay: float = MAX_DELAY
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)  # key -> (count, last failure)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _wait_one(self, key: str, now: float) -> float:
        count, last = self._failures.get(key, (0, 0.0))
        if not count:
            return 0.0
        if count >= self.lock_after:
            left = last + self.lock_seconds - now
            if left <= 0:
                del self._failures[key]  # the lockout is over: a fresh start
                return 0.0
            return left
        return max(0.0, last + min(self.base_delay * 2 ** (count - 1), self.max_delay) - now)

    def wait(self, *keys: str) -> float:
        """Seconds before another attempt under these keys is allowed (0: now)."""
        with self._lock:
            now = self.clock()
            return max((self._wait_one(k, now) for k in keys), default=0.0)

    def locked(self, *keys: str) -> bool:
        with self._lock:
            now = self.clock()
            return any(self._failures.get(k, (0, 0.0))[0] >= self.lock_after and self._wait_one(k, now) > 0
                       for k in keys)

    def failed(self, *keys: str) -> int:
        """Count a failure under every key; returns the highest count among them."""
        with self._lock:
            now = self.clock()
            for k in keys:
                self._wait_one(k, now)  # an expired lockout starts again from zero
                count, _ = self._failures.get(k, (0, 0.0))
                self._failures[k] = (count + 1, now)
            self._prune(now)
            return max(self._failures[k][0] for k in keys)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)

    def _prune(self, now: float) -> None:
        if len(self._failures) <= MAX_KEYS:
            return
        stale = [k for k, (_, last) in self._failures.items() if now - last > self.lock_seconds]
        for k in stale:
            del self._failures[k]
        if len(self._failures) > MAX_KEYS:  # still flooded: forget the oldest
            for k, _ in sorted(self._failures.items(), key=lambda kv: kv[1][1])[: len(self._failures) - MAX_KEYS]:
                del self._failures[k]


def idle_expired(last_seen: float | None, now: float, idle_minutes: float) -> bool:
    """Whether a signed-in session left alone since ``last_seen`` has been idle too long."""
    return last_seen is not None and idle_minutes > 0 and now - last_seen > idle_minutes * 60
