import sys

from governance.tools.cli import main

sys.exit(main())
