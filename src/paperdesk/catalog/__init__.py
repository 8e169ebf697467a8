"""The catalog: what papers exist, read from the lists a user imports.

Plain records and their pydantic models, paper identity and relinking, the list importers, the
merged catalog of every source in column form with its on-disk cache, the home's sources and the
metadata fetched about papers. It knows nothing of reading state, the network or the UI.
"""
