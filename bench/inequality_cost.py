"""Time the inequality measures inside one `mhi compute` run (in process).

    python bench/inequality_cost.py compute --data bench/data/nhs_10m.parquet -q -o OUT \
        --profile sample_data/survey/nhs_2024.profile.yaml --defs indicator_defs -f parquet

Wraps the two entry points of the inequality table (survey and registry) with a timer and
prints the run's wall time, the time spent in them and the number of rows they produced.
"""

from __future__ import annotations

import sys
import time

from mhindicators.cli.main import app
from mhindicators.pipeline import compute
from mhindicators.survey import indicators as survey
from mhindicators.survey import inequality_table

spent = {"seconds": 0.0, "rows": 0, "calls": 0}


def timed(fn):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        spent["seconds"] += time.perf_counter() - start
        spent["rows"] += len(out)
        spent["calls"] += 1
        return out

    return wrapper


survey.inequality_rows = timed(survey.inequality_rows)
compute.registry_rows = timed(inequality_table.registry_rows)

if __name__ == "__main__":
    start = time.perf_counter()
    try:
        app(sys.argv[1:], standalone_mode=False)
    finally:
        wall = time.perf_counter() - start
        print(
            f"wall {wall:.2f} s; inequality measures {spent['seconds']:.3f} s in "
            f"{spent['calls']} calls, {spent['rows']} rows",
            file=sys.stderr,
        )
