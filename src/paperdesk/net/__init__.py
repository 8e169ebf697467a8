"""Everything that talks to a server: bounded HTTP fetching, arXiv metadata, syncing URL sources.

Each fetch has limits (size, time, redirects) and fails in one line; nothing here writes the
home until a fetch has fully succeeded.
"""
