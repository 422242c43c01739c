"""`python -m extractor ...` is `summarize ...`."""
import sys

from .cli import main

sys.exit(main())
