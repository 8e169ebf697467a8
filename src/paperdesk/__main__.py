"""``python -m paperdesk`` runs the CLI."""

from paperdesk.cli import main

raise SystemExit(main())
