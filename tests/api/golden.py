"""Golden files: expected API bodies checked into tests/api/golden/.

`HMR_UPDATE_GOLDEN=1 pytest tests/api` rewrites them from the current output; review the diff
before committing it.
"""

import json
import os
from pathlib import Path

GOLDEN_DIR = Path(__file__).parent / "golden"


def assert_golden(relative: str, value) -> None:
    path = GOLDEN_DIR / relative
    text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("HMR_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    expected = path.read_text()
    assert text == expected, f"{relative} differs from the golden file (HMR_UPDATE_GOLDEN=1 rewrites it)"
