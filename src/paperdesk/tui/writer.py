"""The one thread that talks to the store while the desk runs.

Every store call after loading — marks, notes, TODO edits, settings, and the poll that notices
another process's writes — is a :class:`Job` run here, one at a time and in submission order,
so the UI thread never waits on a disk and two writes can never interleave. Each outcome goes
back as a message to whoever submitted the job (``post_message`` is thread-safe).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message
from textual.message_pump import MessagePump


@dataclass
class Job:
    """A store call and what the submitter needs to finish (or revert) its work."""

    kind: str
    run: Callable[[], Any]
    reply_to: MessagePump | None = None
    data: Any = None
    #: A job the later ones depend on (opening the store): if it fails, they fail unrun.
    gate: bool = False
    result: Any = field(default=None, init=False)


class JobDone(Message):
    """A job finished; ``job.result`` holds what its call returned."""

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job


class JobFailed(Message):
    """A job raised; the submitter reverts what it showed and tells the user."""

    def __init__(self, job: Job, error: Exception) -> None:
        super().__init__()
        self.job = job
        self.error = error


_STOP = object()


class StoreWriter:
    """A FIFO of store jobs served by one daemon thread."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Job | object] = queue.Queue()
        self._closed_by: Exception | None = None
        self._thread = threading.Thread(target=self._serve, name="paperdesk-store", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> Job:
        self._queue.put(job)
        return job

    def _serve(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is _STOP:
                    return
                assert isinstance(job, Job)
                try:
                    if self._closed_by is not None:
                        raise self._closed_by
                    job.result = job.run()
                except Exception as error:
                    if job.gate:
                        self._closed_by = error
                    if job.reply_to is not None:
                        job.reply_to.post_message(JobFailed(job, error))
                else:
                    if job.reply_to is not None:
                        job.reply_to.post_message(JobDone(job))
            finally:
                self._queue.task_done()

    @property
    def busy(self) -> bool:
        return self._queue.unfinished_tasks > 0

    async def drain(self) -> None:
        """Wait, without blocking the UI, until every submitted job has run."""
        await asyncio.to_thread(self.join)

    def join(self) -> None:
        """Block (a worker thread, never the UI) until every submitted job has run."""
        self._queue.join()

    def close(self, timeout: float | None = None) -> None:
        """Run what is queued, then stop the thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)
