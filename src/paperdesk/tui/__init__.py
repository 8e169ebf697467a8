"""The desk: the Textual application ``paperdesk`` runs without a command (see app.py)."""
