"""The desk's screens: the main desk, TODO conferences, statistics, help and dialogs."""
