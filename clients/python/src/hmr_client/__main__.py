import sys

from hmr_client.cli import main

sys.exit(main())
