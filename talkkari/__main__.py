"""``python -m talkkari`` is ``talkkari``."""

import sys

from talkkari.cli import main

sys.exit(main())
