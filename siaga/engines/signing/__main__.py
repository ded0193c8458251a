"""``python -m siaga.engines.signing ca|issue|sign|verify|serve …`` without Django."""

from siaga.engines.signing.cli import main

raise SystemExit(main())
