"""Getting tile bytes: local files and http(s) with a disk cache, in a pool of worker threads.

A URI is a plain string: a local path or an ``http(s)://`` URL. :func:`read_bytes`
reads one synchronously (``info``, the tests, the workers themselves). :class:`Fetcher`
runs fetch + decode jobs in ``concurrent.futures`` threads, most urgent first, at most
``max_jobs`` at a time, and hands finished jobs back through :meth:`Fetcher.done`, which
the GUI thread (or ``render``) drains; nothing here blocks the thread that asks.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate

log = logging.getLogger(__name__)

HTTP_TIMEOUT_S = 15.0


def is_url(uri: str) -> bool:
    """Whether ``uri`` is an http(s) URL (anything else is a local path)."""
    return str(uri).lower().startswith(("http://", "https://"))


def resolve(base: str, relative: str) -> str:
    """``relative`` (a content or tileset URI) resolved against the tileset ``base``."""
    if is_url(relative) or os.path.isabs(relative):
        return relative
    if is_url(base):
        return urllib.parse.urljoin(base, relative)
    rel = urllib.parse.unquote(relative.split("?", 1)[0])
    return os.path.normpath(os.path.join(os.path.dirname(base), rel))


def short_name(uri: str) -> str:
    """The last part of a URI, for one-line messages."""
    return uri.rstrip("/").rsplit("/", 1)[-1] if is_url(uri) else Path(uri).name


def cache_dir() -> Path:
    """The disk cache for tiles fetched over http (``$XDG_CACHE_HOME/twinviewer/tiles``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "twinviewer" / "tiles"


def read_bytes(uri: str, use_cache: bool = True) -> bytes:
    """The bytes of a local file or an http(s) URL.

    Over http a response is kept in :func:`cache_dir` under a hash of the URL, so a
    second session (or a second flight over the same street) reads it from disk.

    Raises
    ------
    LoadError
        Naming the file or URL and the problem (missing, unreachable, HTTP status).
    """
    if not is_url(uri):
        try:
            return Path(uri).read_bytes()
        except FileNotFoundError:
            raise LoadError(translate("LoadError", "file not found"), uri) from None
        except OSError as exc:
            raise LoadError(translate("LoadError", "cannot read ({detail})").format(
                detail=exc.strerror or exc), uri) from None
    cached = cache_dir() / hashlib.sha1(uri.encode()).hexdigest()
    if use_cache and cached.is_file():
        return cached.read_bytes()
    try:
        with urllib.request.urlopen(uri, timeout=HTTP_TIMEOUT_S) as resp:  # noqa: S310
            data = resp.read()
    except urllib.error.HTTPError as exc:
        raise LoadError(translate("LoadError", "{url}: HTTP {status} {reason}").format(
            url=uri, status=exc.code, reason=exc.reason)) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LoadError(translate("LoadError", "{url}: unreachable ({reason})").format(
            url=uri, reason=reason)) from None
    if use_cache:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{threading.get_ident()}.part")
            tmp.write_bytes(data)
            os.replace(tmp, cached)  # atomic: a crash never leaves half a tile cached
        except OSError as exc:  # a read-only home: fetch again next time
            log.debug("tile cache not written: %s", exc)
    return data


class Fetcher:
    """A priority queue of jobs run by a thread pool, at most ``max_jobs`` at a time.

    ``submit(key, priority, fn)`` queues ``fn()`` (lower priority runs first; a key
    already queued or running is not queued twice). Results come back through
    :meth:`done` as ``(key, result, error)`` triples; ``error`` is the exception an
    ``fn`` raised (a :class:`LoadError` names the file).
    """

    def __init__(self, workers: int = 4, max_jobs: int = 8) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tiles")
        self._max_jobs = max_jobs
        self._queue: list[tuple[float, int, str, Callable[[], Any]]] = []
        self._pending: set[str] = set()
        self._running = 0
        self._finished: list[tuple[str, Any, BaseException | None]] = []
        self._lock = threading.Lock()
        self._seq = 0
        self._closed = False

    @property
    def busy(self) -> int:
        """Jobs queued or running."""
        with self._lock:
            return len(self._pending)

    def submit(self, key: str, priority: float, fn: Callable[[], Any]) -> bool:
        """Queue a job; False when ``key`` is already queued or running."""
        with self._lock:
            if key in self._pending or self._closed:
                return False
            self._pending.add(key)
            self._seq += 1
            heapq.heappush(self._queue, (priority, self._seq, key, fn))
        self._pump()
        return True

    def cancel_queued(self, keep: set[str]) -> list[str]:
        """Drop queued (not yet running) jobs whose key is not in ``keep``: the camera
        moved on, their tiles are no longer wanted. Returns the dropped keys."""
        with self._lock:
            dropped = [k for _, _, k, _ in self._queue if k not in keep]
            self._queue = [q for q in self._queue if q[2] in keep]
            heapq.heapify(self._queue)
            self._pending.difference_update(dropped)
        return dropped

    def done(self) -> list[tuple[str, Any, BaseException | None]]:
        """Jobs finished since the last call."""
        with self._lock:
            out, self._finished = self._finished, []
        return out

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._queue.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _pump(self) -> None:
        while True:
            with self._lock:
                if self._running >= self._max_jobs or not self._queue or self._closed:
                    return
                _, _, key, fn = heapq.heappop(self._queue)
                self._running += 1
            self._pool.submit(self._run, key, fn)

    def _run(self, key: str, fn: Callable[[], Any]) -> None:
        result, error = None, None
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001  (reported through done(), never raised)
            error = exc
        with self._lock:
            self._running -= 1
            self._pending.discard(key)
            self._finished.append((key, result, error))
        self._pump()
