"""A lease in Redis: one holder at a time, renewed while it lives, taken over when it dies.

Unlike dramatiq's ConcurrentRateLimiter (a mutex whose TTL is never renewed), a lease is held
for as long as its holder keeps renewing it; when the holder stops (crash, SIGKILL, lost host),
the key expires after ``ttl`` seconds and a standby acquires it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from typing import Protocol

import redis

log = logging.getLogger("intake.lease")

# Renew when the token is ours; take the key again when it vanished (a Redis restart);
# report loss when someone else holds it.
_RENEW = """
local current = redis.call('get', KEYS[1])
if current == ARGV[1] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  return 1
elseif not current then
  redis.call('set', KEYS[1], ARGV[1], 'px', ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class Lease(Protocol):
    def held(self) -> bool: ...
    def wait_held(self, stop: threading.Event, timeout: float) -> bool: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...


class LocalLease:
    """Without Redis (the embedded default) there is one process; it always holds the lease."""

    def held(self) -> bool:
        return True

    def wait_held(self, stop: threading.Event, timeout: float) -> bool:
        return not stop.is_set()

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


class RedisLease:
    """Hold ``key`` in Redis for ``ttl`` seconds at a time, renewed by a background thread.

    ``held()`` turns false as soon as renewal fails for longer than a safe part of the TTL, so a
    holder cut off from Redis stops working before the key can expire and go to someone else.
    """

    def __init__(self, client: redis.Redis, key: str, ttl: float, name: str = "lease") -> None:
        self.client = client
        self.key = key
        self.ttl = ttl
        self.name = name
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._valid_until = 0.0
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error_logged = False

    def held(self) -> bool:
        return time.monotonic() < self._valid_until

    def wait_held(self, stop: threading.Event, timeout: float) -> bool:
        """Block until the lease is ours (True) or ``stop`` is set or ``timeout`` passed (False)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self.held() and not stop.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.5))
        return self.held() and not stop.is_set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-lease", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop renewing and give the lease back at once, so a standby need not wait the TTL."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        was_held = self.held()
        self._valid_until = 0.0
        if was_held:
            try:
                self._release(keys=[self.key], args=[self.token])
                log.info("%s lease released", self.name, extra={"step": "lease_released", "lease": self.key})
            except redis.RedisError:
                pass  # it expires by itself

    def holder(self) -> str | None:
        value = self.client.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    def try_once(self) -> bool:
        """One attempt to acquire or renew; updates ``held()``."""
        started = time.monotonic()
        ttl_ms = int(self.ttl * 1000)
        try:
            if self.held():
                ok = bool(self._renew(keys=[self.key], args=[self.token, ttl_ms]))
            else:
                ok = bool(self.client.set(self.key, self.token, nx=True, px=ttl_ms))
        except redis.RedisError as exc:
            if not self._error_logged:
                log.warning("%s lease: Redis unreachable (%s); retrying", self.name, exc)
                self._error_logged = True
            return self.held()
        if self._error_logged:
            log.info("%s lease: Redis reachable again", self.name)
            self._error_logged = False
        was_held = self.held()
        with self._changed:
            # Counted from before the call: the key cannot expire earlier than this on the server.
            self._valid_until = started + self.ttl * 2 / 3 if ok else 0.0
            self._changed.notify_all()
        if ok and not was_held:
            log.info("%s lease acquired by %s", self.name, self.token, extra={"step": "lease_acquired", "lease": self.key})
        elif was_held and not ok:
            log.warning("%s lease lost to another process", self.name, extra={"step": "lease_lost", "lease": self.key})
        return ok

    def _run(self) -> None:
        while not self._stop.is_set():
            held = self.try_once()
            # The holder renews three times per TTL; a standby looks ten times per TTL.
            self._stop.wait(self.ttl / 3 if held else max(0.1, self.ttl / 10))
