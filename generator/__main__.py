"""``python -m generator`` is the ``newsdigest`` command."""
import sys

from generator.cli import main

sys.exit(main())
