"""The catalog and its reading state written out: markdown, BibTeX, CSV, JSON, and statistics.

Every format is a pure function of a selection of papers (:mod:`.selection`), so the CLI and
the desk write byte-identical files; :mod:`.render` turns a selection into text or a file.
"""
