"""Hypothesis profiles: the suite is reproducible by default; `explore` looks for new cases.

`python -m pytest` (and CI) draws the same examples on every run, so a red build always means
a change broke something. `HYPOTHESIS_PROFILE=explore python -m pytest` draws fresh examples
on every run, to search for cases nobody has tried yet; add what it finds to the tests.
"""

import os

from hypothesis import settings

settings.register_profile("default", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
