"""Reading state: statuses with history, notes, TODO conferences and settings, per home.

The TinyDB store, its atomic storage and file format, and the quick read that draws the desk's
first frame before the store is opened. It builds on the catalog's records and knows nothing of
the network, the exports or the UI.
"""
