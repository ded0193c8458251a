"""``python -m siaga.engines.tracing contacts|sources …`` without Django."""

from siaga.engines.tracing.cli import main

raise SystemExit(main())
