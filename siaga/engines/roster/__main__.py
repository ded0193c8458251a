"""``python -m siaga.engines.roster solve|check|stress …`` without Django."""

from siaga.engines.roster.cli import main

raise SystemExit(main())
