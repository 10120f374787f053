"""`mhi init`: a new project that validates and computes at once on a tiny bundled example.

The example is a few columns of the synthetic sample survey (4 strata, 1,230 persons) with its
profile and one shipped definition (hs_health_coverage), so `mhi validate` and `mhi compute`
work in the new folder straight away; replace them with your own data and profiles.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mhindicators.errors import UsageError
from mhindicators.issues import define, issue

define(
    "MHI908",
    "init-would-overwrite",
    "error",
    "`mhi init` would overwrite files that already exist.",
    "Run it in an empty folder (`mhi init FOLDER`), or move the listed files away.",
)

_HERE = Path(__file__).parent
FILES = {  # path in the new project: bundled file
    "mhi.yaml": "mhi.yaml",
    "indicator_defs/access_to_care/hs_health_coverage.yaml": "hs_health_coverage.yaml",
    "profiles/example_survey.profile.yaml": "example_survey.profile.yaml",
    "data/example_survey.csv": "example_survey.csv",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
    ".github/workflows/mhi.yaml": "github-workflow.yaml",
}


def init_project(folder: Path) -> list[Path]:
    """Write the project files into `folder` (created if needed); refuse to overwrite any."""
    targets = {folder / rel: _HERE / src for rel, src in FILES.items()}
    existing = [t for t in targets if t.exists()]
    if existing:
        raise UsageError(
            "files already exist",
            [issue("MHI908", f"{t} already exists", str(t)) for t in existing],
        )
    for target, source in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return list(targets)
