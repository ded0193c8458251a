#!/usr/bin/env python
"""Django's manage.py; the same as the ``siaga`` command."""

from siaga.cli import main

if __name__ == "__main__":
    main()
