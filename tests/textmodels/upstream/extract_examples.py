"""Upstream's answers to a session of text-route requests, trimmed into `text_utils.json`.

The session was recorded against the service HMR replaces (horde-model-reference 8.6.2, its
FastAPI app as a PRIMARY on the real data, a fake AI-Horde answering the keys `requestor-key`,
`approver-key` and `reader-key`) by the upstream research notes' capture script:

    /tmp/upstream12/bin/python /work/notes/upstream/scripts/capture_text_utils.py

which writes `examples/text_utils.json` (+ big bodies in `examples/text_utils/`). This script
keeps every request, status and body, except that the two big overviews keep their totals and
the entries of a few groups:

    python3 tests/textmodels/upstream/extract_examples.py /work/notes/upstream/examples
"""

import json
import sys
from pathlib import Path

KEPT_GROUPS = ("magnum", "Meta-Llama-3.1", "gpt2", "c4ai-command-r-plus", "c4ai-command-r", "Mistral-Large")


def trimmed(label: str, body: dict) -> dict:
    if label.startswith("groups/summary"):
        return {**body, "groups": [g for g in body["groups"] if g["group_name"] in KEPT_GROUPS]}
    if label == "groups/health":
        return {**body, "issues": [i for i in body["issues"] if i["group_name"] in KEPT_GROUPS]}
    return body


def main(examples: Path) -> None:
    session = []
    for step in json.loads((examples / "text_utils.json").read_text()):
        body = step.get("body")
        if "body_file" in step:
            body = json.loads((examples / step["body_file"]).read_text())
        session.append(
            {
                "label": step["label"],
                "request": step["request"],
                "status": step["status"],
                "body": trimmed(step["label"], body) if isinstance(body, dict) else body,
            }
        )
    about = {"package": "horde-model-reference 8.6.2", "kept_groups": KEPT_GROUPS}
    out = Path(__file__).parent / "text_utils.json"
    out.write_text(json.dumps({"_about": about, "session": session}, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
