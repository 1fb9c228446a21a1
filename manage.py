#!/usr/bin/env python
"""Django's command-line utility; `dangjian` (the console script) does the same."""

import sys

from dangjian.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
