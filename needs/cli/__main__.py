"""``python -m needs.cli``: the same as the ``needs`` command."""

import sys

from needs.cli import main

sys.exit(main())
