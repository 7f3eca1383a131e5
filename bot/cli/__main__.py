"""``python -m bot.cli``: the ``sentibot`` command."""

import sys

from bot.cli.main import main

sys.exit(main())
