import sys

from exolab.cli import main

sys.exit(main())
