"""``python -m reportgen.cli``: the ``reportgen`` command."""

import sys

from reportgen.cli import main

sys.exit(main())
