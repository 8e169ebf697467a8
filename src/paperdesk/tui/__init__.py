"""The Textual desk on top of the core.

:func:`run_desk` is the entry point. It starts opening the desk's data before it imports
Textual, so the two overlap: importing Textual costs about as much as the first frame may.
"""

from __future__ import annotations

import gc
import os


def run_desk(
    home: str | os.PathLike[str] | None = None, catalog: str | os.PathLike[str] | None = None
) -> int:
    """Run the desk on a home (or a ``--catalog`` file); the exit code.

    The cyclic GC waits until the desk is filled (``PaperdeskApp``): start-up allocates
    hundreds of thousands of long-lived objects, which every collection would rescan.
    """
    gc.disable()
    from paperdesk.tui.opening import start_opening

    opening = start_opening(home, catalog)
    from paperdesk.tui.app import make_app, run_app

    return run_app(make_app(home, catalog, opening=opening))
