"""`python -m lunch_app <command>`: the same operator commands as `python -m lunch_app.cli`."""

import sys

from lunch_app.cli import main

sys.exit(main())
