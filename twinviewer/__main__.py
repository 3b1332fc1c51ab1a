"""``python -m twinviewer`` runs the command line."""

from twinviewer.cli import main

raise SystemExit(main())
