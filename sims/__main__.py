"""``python -m sims`` is the ``entrosim`` command."""

import sys

from sims.cli import main

sys.exit(main())
