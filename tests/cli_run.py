"""What a command run in-process gave (the ``cli`` fixture of conftest runs it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Ran:
    """Named as :class:`subprocess.CompletedProcess` names it: a test reads the same either way."""

    returncode: int
    stdout: str
    stderr: str
