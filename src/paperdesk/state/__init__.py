"""Reading state: statuses with history, notes, TODO conferences and settings, per home.

The TinyDB store, its atomic storage and file format, and the quick read that draws the desk's
first frame before the store is opened; beside the store, the log of every change (events,
their clock, one file per machine), the rules that merge the logs of several machines, the
steps that undo and history show, and the git sync that carries the log between machines. It
builds on the catalog's records and knows nothing of the network code, the exports or the UI.
"""
