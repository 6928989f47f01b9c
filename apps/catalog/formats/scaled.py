"""The legacy files with every record copied under new names: a catalog N times today's size.

For rehearsing growth (bench/scale.py, tests/catalog/test_assembly.py): copies keep every field
and every formatting detail of their original, so rendering, import and export meet the real
data's shapes N times over. Pure functions, text in and text out (`manage.py scale_legacy` walks
a directory).

- An image category file (`{key: record}`): each member copied as `<key> copy<k>` with
  `name` `<name> copy<k>`, in the original's layout.
- text `models.csv`: each row copied as `<name>-copy<k>` (its display name `... copy<k>`); a row
  whose name is quoted is not copied. `db.json` is generated from the scaled models.csv, so the
  two agree as they do in the text repository.
"""

from __future__ import annotations

from apps.catalog.categories import Category
from apps.catalog.formats import bundle, jsonfile, render, text_file


def scaled_json_document(text: str, times: int) -> str:
    """An image category file with each record there `times` times in all (schemas: unchanged)."""
    document = jsonfile.parse_document(text)
    if times <= 1 or document.container != "{" or not document.members:
        return text
    members = [jsonfile.Member(m.key, m.value, m.layout) for m in document.members]
    for k in range(1, times):
        for m in document.members:
            value = dict(m.value)
            value["name"] = f"{value.get('name', m.key)} copy{k}"
            members.append(jsonfile.Member(f"{m.key} copy{k}", value, m.layout))
    return jsonfile.render_document(members, document.profile)


def scaled_models_csv(text: str, times: int) -> str:
    """models.csv with each row (but quoted names) there `times` times in all."""
    if times <= 1:
        return text
    csv_file = text_file.read_models_csv(text)
    lines = [text if text.endswith(("\n", "\r")) else text + csv_file.profile.line_terminator]
    for k in range(1, times):
        for row in csv_file.rows:
            name, shown = row.cells["name"], row.cells.get("display_name", "")
            line = row.text
            if not line.startswith(name + ","):
                continue  # a quoted name: not copied
            line = f"{name}-copy{k}," + line[len(name) + 1 :]
            if shown and f",{shown}," in line:
                line = line.replace(f",{shown},", f",{shown} copy{k},", 1)
            lines.append(line)
    return "".join(lines)


def text_db_json(models_csv: str) -> str:
    """The db.json the text repository generates from `models_csv`."""
    parsed = bundle.parse_models_csv(models_csv)
    stored = render.CategoryRecords(
        Category.TEXT_GENERATION,
        [render.StoredRecord(r.name, r.data, r.layout, position=i) for i, r in enumerate(parsed.records)],
        parsed.profile,
    )
    return render.text_db_file(stored)
