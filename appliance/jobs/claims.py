"""Huey's Redis storage with reliable claims, for several workers on several hosts.

Plain Huey takes a job with BRPOP: a worker that dies while running it loses the job. Here a worker
thread takes a job with BLMOVE into its own processing list (`<prefix>.claims.<owner>.<n>`), named in
a registry hash with its owner; the owner (one consumer process) keeps a lease key with a TTL alive
from a keeper thread. `ack()` removes the job from the list when it ends. Every consumer's keeper also
reaps: the lists of an owner whose lease expired (a process killed, a host gone) go back to the queue,
atomically in one Lua script, so another worker runs the job again (the tasks are idempotent).

A reply lost in a Redis restart can leave a job in a thread's list that the thread does not know of;
the thread returns its list to the queue before every take, when it holds nothing. Jobs due later
(retries, eta) move from the schedule into the queue in one script, so a scheduler dying in between
loses none. Redis itself must keep its data over a restart: appendonly yes (ops/cluster/).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from typing import Any

from huey.storage import RedisStorage  # type: ignore[import-untyped]
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

# KEYS: own list, queue, registry, lease. ARGV: owner, lease ms. Register, keep the lease, give back leftovers.
_PREPARE = """
redis.call('HSET', KEYS[3], KEYS[1], ARGV[1])
if redis.call('EXISTS', KEYS[4]) == 0 then redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[2]) end
local n = 0
while redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'RIGHT') do n = n + 1 end
return n
"""
# KEYS: registry, queue. ARGV: lease key prefix. The lists of owners without a lease go back to the queue.
_REAP = """
local moved = 0
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  if redis.call('EXISTS', ARGV[1] .. entries[i + 1]) == 0 then
    while redis.call('LMOVE', entries[i], KEYS[2], 'RIGHT', 'RIGHT') do moved = moved + 1 end
    redis.call('HDEL', KEYS[1], entries[i])
  end
end
return moved
"""
# KEYS: registry, queue, lease. ARGV: owner. A clean stop: this owner's lists back, lease gone.
_RELEASE = """
local moved = 0
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  if entries[i + 1] == ARGV[1] then
    while redis.call('LMOVE', entries[i], KEYS[2], 'RIGHT', 'RIGHT') do moved = moved + 1 end
    redis.call('HDEL', KEYS[1], entries[i])
  end
end
redis.call('DEL', KEYS[3])
return moved
"""
# KEYS: schedule, queue. ARGV: now. Due jobs move into the queue in one step.
_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, item in ipairs(due) do
  redis.call('LPUSH', KEYS[2], item)
  redis.call('ZREM', KEYS[1], item)
end
return #due
"""


class ClaimingRedisStorage(RedisStorage):
    """RedisStorage whose dequeue is a claim with a lease; `ack()` ends the calling thread's claim."""

    def __init__(self, name: str = "huey", lease_seconds: float = 60.0, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.lease_seconds = float(lease_seconds)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.registry_key = f"huey.claims.{self.name}"
        self.lease_prefix = f"huey.lease.{self.name}."
        self.lease_key = self.lease_prefix + self.owner
        self._prepare = self.conn.register_script(_PREPARE)
        self._reap = self.conn.register_script(_REAP)
        self._release = self.conn.register_script(_RELEASE)
        self._due = self.conn.register_script(_DUE)
        self._local = threading.local()
        self._lists = 0
        self._keeper: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    @property
    def _lease_ms(self) -> int:
        return max(100, int(self.lease_seconds * 1000))

    def _own_list(self) -> str:
        key: str | None = getattr(self._local, "list_key", None)
        if key is None:
            with self._lock:
                self._lists += 1
                key = f"huey.claims.{self.name}.{self.owner}.{self._lists}"
            self._local.list_key = key
        return key

    def dequeue(self) -> bytes | None:
        """Claim the next job into this thread's list (blocking up to read_timeout)."""
        self.start_keeper()
        own = self._own_list()
        self._local.claim = None
        self._prepare(keys=[own, self.queue_key, self.registry_key, self.lease_key],
                      args=[self.owner, self._lease_ms])
        data = self.conn.blmove(self.queue_key, own, self.read_timeout, "RIGHT", "LEFT")
        self._local.claim = data
        return data  # type: ignore[no-any-return]

    def ack(self, attempts: int = 30) -> None:
        """The calling thread's job ended (done, failed, retried or rescheduled): drop its claim.

        Retried through a Redis restart; if Redis stays away the claim stays, and the job runs again
        once it is back (idempotent tasks)."""
        data = getattr(self._local, "claim", None)
        if data is None:
            return
        own = self._own_list()
        for attempt in range(attempts):
            try:
                self.conn.lrem(own, 1, data)
                self._local.claim = None
                return
            except (RedisConnectionError, RedisTimeoutError) as exc:
                log.warning("job acknowledgement failed (%s); retrying", type(exc).__name__)
            time.sleep(min(2.0, 0.1 * (attempt + 1)))
        log.error("job acknowledgement gave up: the job may run again")

    def read_schedule(self, ts: Any) -> list[bytes]:
        """Due jobs go straight into the queue (atomically); nothing is left for the scheduler to push."""
        self._due(keys=[self.schedule_key, self.queue_key], args=[self.convert_ts(ts)])
        return []

    # --- leases ---------------------------------------------------------------------------------

    def start_keeper(self) -> None:
        """Start this process's lease keeper and reaper (once; consumers only, on their first take)."""
        if self._keeper is not None:
            return
        with self._lock:
            if self._keeper is not None:
                return
            self.renew()
            self._keeper = threading.Thread(target=self._keep, name="belfort-claims", daemon=True)
            self._keeper.start()

    def renew(self) -> None:
        self.conn.set(self.lease_key, self.owner, px=self._lease_ms)

    def reap(self) -> int:
        """Return the claims of owners whose lease expired to the queue; how many jobs went back."""
        moved = int(self._reap(keys=[self.registry_key, self.queue_key], args=[self.lease_prefix]))
        if moved:
            log.warning("%d job(s) of a stopped worker went back to the queue", moved)
        return moved

    def release(self) -> int:
        """A clean stop: this process's claims go back to the queue at once, and its lease ends."""
        self._stop.set()
        return int(self._release(keys=[self.registry_key, self.queue_key, self.lease_key], args=[self.owner]))

    def claimed_count(self) -> int:
        """Jobs claimed by some worker and not yet acknowledged (all owners)."""
        return sum(int(self.conn.llen(k)) for k in self.conn.hkeys(self.registry_key))

    def _keep(self) -> None:
        beat = max(0.05, self.lease_seconds / 3)
        next_reap = 0.0
        while not self._stop.wait(beat):
            try:
                self.renew()
                if time.monotonic() >= next_reap:
                    next_reap = time.monotonic() + max(beat, self.lease_seconds / 2)
                    self.reap()
            except Exception as exc:  # noqa: BLE001  # Redis restarting: the next beat tries again
                log.warning("job lease renewal failed: %s", type(exc).__name__)
