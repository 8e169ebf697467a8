"""The desk screen, assembled from its parts (see :mod:`.screen`)."""

from paperdesk.tui.screens.desk.screen import DeskScreen

__all__ = ["DeskScreen"]
