"""Run the mailbox worker: the poller, dramatiq workers, the sweeper and the metrics endpoint.

The main process polls the mailbox (when it holds the mailbox lease), sweeps (when it holds the
sweeper lease) and serves metrics; dramatiq worker processes, started as children, carry the
messages through. With no Redis (the embedded default) there is one process: a StubBroker and
dramatiq's Worker threads beside the poller.

SIGTERM or SIGINT: the poller leaves IDLE and logs out, the leases are given back, each worker
finishes the message in hand (queued ones go back to Redis), then the process exits with 0.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import dramatiq
import redis

from intake.config import Settings, load_settings
from intake.context import Context
from intake.lease import Lease, LocalLease, RedisLease
from intake.logging_setup import configure_logging
from intake.mailbox import Poller, mailbox_key
from intake.metrics import Metrics, serve, use_multiprocess_dir
from intake.pipeline import load_lazy_parts
from intake.purge import purge_closed
from intake.tasks import Actors, build_actors, make_broker, queue_depths, sweep_once

log = logging.getLogger("intake.worker")


@dataclass(frozen=True)
class WorkerPlan:
    # No defaults: `intake worker` fills every field from its options or the settings.
    poller: bool
    workers: bool
    processes: int
    threads: int


class Runtime:
    """What one process needs: settings, the Context (built lazily), the broker and the actors."""

    def __init__(self, settings: Settings, metrics: Metrics, ctx: Context | None = None) -> None:
        self.settings = settings
        self.metrics = metrics
        self._ctx = ctx
        self._lock = threading.Lock()
        self.broker = make_broker(settings.redis_url, namespace=settings.redis_namespace)
        self.actors: Actors = build_actors(self.broker, self.context, settings=settings, metrics=metrics)

    def context(self) -> Context:
        with self._lock:
            if self._ctx is None:
                self._ctx = Context.build(self.settings, migrate=False)
            return self._ctx

    def redis_client(self) -> redis.Redis | None:
        return getattr(self.broker, "client", None)

    def lease(self, name: str) -> Lease:
        client = self.redis_client()
        if client is None:
            return LocalLease()
        return RedisLease(client, f"{self.settings.redis_namespace}:lease:{name}", self.settings.lease_ttl, name)

    def dramatiq_worker(self, threads: int) -> dramatiq.Worker:
        return dramatiq.Worker(self.broker, worker_threads=threads, worker_timeout=self.settings.worker_idle_poll_ms)

    def close(self) -> None:
        if self._ctx is not None:
            self._ctx.db.dispose()


def run_worker(settings: Settings, plan: WorkerPlan) -> int:
    """The main process of `intake worker`; returns the exit code."""
    stop = threading.Event()
    failure: list[str] = []
    _on_signals(stop)
    if settings.metrics_port:
        use_multiprocess_dir()
    metrics = Metrics.for_settings(settings)
    runtime = Runtime(settings, metrics, Context.build(settings))  # migrates once, before any child
    redis = runtime.redis_client() is not None
    children = _Children(settings, plan, metrics) if plan.workers and redis and plan.processes > 0 else None
    if children:
        # Forked now, while this process holds no thread and no connection: the children start
        # with every module imported, the templates compiled and the models loaded (milliseconds
        # instead of a second of CPU each).
        ctx = runtime.context()
        load_lazy_parts(ctx)
        runtime.close()
        children.start(ctx)
    local_worker = None
    if plan.workers and children is None:
        local_worker = runtime.dramatiq_worker(plan.threads)
        local_worker.start()
    leases: list[Lease] = []
    threads: list[threading.Thread] = []
    if plan.poller and settings.imap_host:
        lease = runtime.lease(f"poller:{mailbox_key(settings)}")
        leases.append(lease)
        poller = Poller(settings, runtime.context().db, runtime.actors.enqueue_processing, lease,
                        on_fetched=metrics.fetched)
        threads.append(_thread("poller", lambda: poller.run(stop), stop, failure))
    elif plan.poller:
        log.info("no INTAKE_IMAP_HOST: the poller is off; ingest files with `intake ingest`")
    if not redis or plan.workers or plan.poller:
        sweeper_lease = runtime.lease("sweeper")
        leases.append(sweeper_lease)
        threads.append(_thread("sweeper", lambda: _sweep_loop(runtime, sweeper_lease, stop), stop, failure))
    if settings.metrics_port:
        serve(settings.metrics_host, settings.metrics_port, lambda: queue_depths(runtime.broker))
    for lease in leases:
        lease.start()
    for thread in threads:
        thread.start()
    log.info(
        "worker started: poller %s, %s", "on" if plan.poller and settings.imap_host else "off",
        f"{plan.processes} worker process(es) x {plan.threads} threads" if children
        else f"{plan.threads} worker threads in this process" if local_worker else "no workers",
        extra={"step": "started"},
    )
    try:
        while not stop.is_set():
            if children:
                children.supervise(stop)
            stop.wait(0.5)
    finally:
        log.info("stopping: finishing the messages in hand", extra={"step": "stopping"})
        for thread in threads:
            thread.join(timeout=settings.imap_timeout + 5)
        for lease in leases:
            lease.stop()
        if children:
            children.stop()
        if local_worker is not None:
            local_worker.stop(timeout=int(settings.shutdown_timeout * 1000))
        runtime.close()
        log.info("worker stopped", extra={"step": "stopped"})
    if failure:
        print(f"intake: {failure[0]}", file=sys.stderr)
        return 1
    return 0


# The retention purge runs with the sweeper (one process at a time), once a day.
PURGE_EVERY_SECONDS = 24 * 3600


def _sweep_loop(runtime: Runtime, lease: Lease, stop: threading.Event) -> None:
    interval = runtime.settings.sweep_interval
    next_purge = 0.0
    while not stop.wait(interval):
        if not lease.held():
            continue
        try:
            ctx = runtime.context()
            sweep_once(ctx, runtime.actors)
            if time.monotonic() >= next_purge:
                counts = purge_closed(ctx, runtime.settings.retention_days)
                next_purge = time.monotonic() + PURGE_EVERY_SECONDS
                log.info("retention purge", extra={"step": "purged", "purged": counts.as_dict()})
        except Exception as exc:  # noqa: BLE001 - the database or Redis is down; the next sweep tries again
            log.warning("sweep failed (%s: %s); trying again in %.0fs", type(exc).__name__, exc, interval)


def _thread(name: str, target: Callable[[], None], stop: threading.Event, failure: list[str]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except Exception as exc:
            log.exception("%s stopped on an error", name)
            failure.append(f"{name}: {exc}")
            stop.set()

    return threading.Thread(target=run, name=name, daemon=True)


def _on_signals(stop: threading.Event) -> None:
    def handle(signum: int, _frame: object) -> None:
        if not stop.is_set():
            log.info("received %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


class _Children:
    """The dramatiq worker processes: started, restarted when one dies, stopped with SIGTERM."""

    def __init__(self, settings: Settings, plan: WorkerPlan, metrics: Metrics) -> None:
        self.settings = settings
        self.plan = plan
        self.metrics = metrics
        self.procs: dict[int, subprocess.Popen[bytes] | _Forked] = {}
        self.restart_at: dict[int, float] = {}

    def start(self, ctx: Context) -> None:
        """Fork the first children, which share ``ctx``; call while this process has no other
        thread and no open connection."""
        for index in range(self.plan.processes):
            self.procs[index] = _fork_child(index, self.plan.threads, ctx, self.metrics)

    def _respawn(self, index: int) -> None:
        # A fresh interpreter: forking is unsafe once the poller and other threads run (a lock
        # one of them holds would stay held in the child forever).
        data = json.dumps(self.settings.model_dump(mode="json")).encode()
        proc = subprocess.Popen(
            [sys.executable, "-m", "intake.runner", str(index), str(self.plan.threads), str(os.getpid())],
            stdin=subprocess.PIPE,
        )
        assert proc.stdin is not None
        proc.stdin.write(data)
        proc.stdin.close()
        self.procs[index] = proc

    def supervise(self, stop: threading.Event) -> None:
        for index, proc in list(self.procs.items()):
            code = proc.poll()
            if code is None or stop.is_set():
                continue
            due = self.restart_at.get(index)
            if due is None:
                log.error("worker process %d (pid %d) exited with %s; restarting it", index, proc.pid, code)
                self.restart_at[index] = time.monotonic() + 2.0
            elif time.monotonic() >= due:
                del self.restart_at[index]
                self._respawn(index)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.settings.shutdown_timeout + 5
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("worker process %d did not stop in time; killing it", proc.pid)
                proc.kill()
                proc.wait()


class _Forked:
    """A forked child, with the part of Popen's interface that _Children uses."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"worker process {self.pid}", timeout or 0)
            time.sleep(0.05)
        return code

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _fork_child(index: int, threads: int, ctx: Context, metrics: Metrics) -> _Forked:
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return _Forked(pid)
    code = 1
    try:
        code = run_child(index, threads, parent, ctx.settings, metrics, ctx)
    except BaseException:  # reported; the child ends below and the parent starts another
        log.exception("worker process %d stopped on an error", index)
    finally:
        # Never return into the parent's code, and run none of its exit handlers.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run_child(
    index: int, threads: int, parent: int, settings: Settings, metrics: Metrics, ctx: Context | None = None
) -> int:
    """A dramatiq worker process of `intake worker`, until SIGTERM or its parent is gone."""
    configure_logging(settings, process_name=f"intake-worker-{index}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent turns Ctrl-C into SIGTERM for us
    runtime = Runtime(settings, metrics, ctx)
    runtime.context()
    worker = runtime.dramatiq_worker(threads)
    worker.start()
    while not stop.wait(0.5):
        if os.getppid() != parent:
            log.warning("the worker's main process is gone; stopping")
            break
    worker.stop(timeout=int(settings.shutdown_timeout * 1000))
    runtime.close()
    return 0


def child_main(argv: list[str]) -> int:
    """A worker process restarted by `intake worker`; settings arrive as JSON on stdin."""
    index, threads, parent = int(argv[0]), int(argv[1]), int(argv[2])
    settings = load_settings(**json.loads(sys.stdin.buffer.read()))
    metrics = Metrics.for_settings(settings)
    return run_child(index, threads, parent, settings, metrics)


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
