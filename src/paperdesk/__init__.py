"""paperdesk: a keyboard-first terminal reading desk for research-paper lists."""

__version__ = "0.1.0"
