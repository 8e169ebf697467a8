"""The desk's widgets, one per module, named for what the user sees."""
