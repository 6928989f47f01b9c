"""Any JSON spelling and any CSV quoting of the real files comes back byte for byte: the files
are re-written with other writer settings (indentation, separators, escaping, key order,
quoting, line endings) and must round-trip through the import's reader and the export."""

import csv
import io
import json

import pytest

from apps.catalog.formats import bundle
from tests.catalog.fidelity.helpers import export_image, export_text

SPELLINGS = {
    "indent 2": {"indent": 2},
    "tabs, no ASCII escapes": {"indent": "\t", "ensure_ascii": False},
    "one line": {"separators": (",", ":")},
    "loose separators": {"indent": 1, "separators": (" ,", " : ")},
    "sorted keys": {"indent": 3, "sort_keys": True},
}


@pytest.mark.parametrize("spelling", SPELLINGS, ids=list(SPELLINGS))
@pytest.mark.parametrize("file_name", ["clip.json", "controlnet.json", "stable_diffusion.json"])
def test_a_real_image_file_in_another_spelling_comes_back(legacy_dir, file_name, spelling):
    value = json.loads((legacy_dir / "image" / file_name).read_bytes())
    text = json.dumps(value, **SPELLINGS[spelling]).replace("\n", "\r\n") + "\r\n"
    _, exported = export_image(file_name, text)
    assert exported == text


@pytest.mark.parametrize(
    ("quoting", "terminator"),
    [(csv.QUOTE_ALL, "\r\n"), (csv.QUOTE_NONNUMERIC, "\n"), (csv.QUOTE_MINIMAL, "\n")],
    ids=["all quoted", "non-numeric quoted, LF", "LF"],
)
def test_the_real_models_csv_written_otherwise_comes_back(legacy_dir, quoting, terminator):
    rows = list(csv.reader(io.StringIO((legacy_dir / "text/models.csv").read_bytes().decode(), newline="")))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=quoting, lineterminator=terminator)
    writer.writerow(rows[0])
    for row in rows[1:]:
        writer.writerow([float(c) if quoting == csv.QUOTE_NONNUMERIC and c == "7" else c for c in row])
    text = buffer.getvalue()
    parsed, exported, _ = export_text(text)
    assert exported == text
    assert len(parsed.records) == len({row[0] for row in rows[1:]})
    assert bundle.parse_models_csv(exported).records == parsed.records
