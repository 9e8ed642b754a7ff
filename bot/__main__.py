"""`python -m bot`: see `bot.main`."""

import gc
import sys

# Start-up (imports, the folder scan, the engine's build) makes hundreds of thousands of objects
# that live as long as the process, and no garbage cycles worth collecting: collections there
# only walk them again and again (a third of a second over a 19,000-file folder). `bot.main`
# turns collection back on once the engine is built and frozen (`settle_memory`), or at once
# for a command that builds none.
gc.disable()

from bot.main import main  # noqa: E402 - after the line above, so that imports run without it

sys.exit(main())
