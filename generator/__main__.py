"""``python -m generator`` is the ``newsdigest`` command."""
from generator.cli import run

run()
