"""Stored notebook outputs: no unmarked error, no key, no local path, no metadata noise."""

import json
import re

import pytest

from workbook.lessons import chapter_dirs, lessons

NOTEBOOKS = [p for chapter in chapter_dirs() for p in lessons(chapter) if p.suffix == ".ipynb"]
KEY = re.compile(r"sk-[A-Za-z0-9_-]{16,}|offline-course-key")
LOCAL_PATH = re.compile(r"/(home|root|Users|work|tmp)/[\w.-]+")


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_stored_and_clean(notebook):
    cells = _cells(notebook)
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code and all(c.get("execution_count") for c in code if c["source"]), "notebook is not executed"
    for cell in code:
        raises = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        assert raises or not errors, f"unmarked error in cell: {''.join(cell['source'])[:80]!r}"
        if raises:
            assert errors, f"cell marked to raise did not raise: {''.join(cell['source'])[:80]!r}"
        text = json.dumps(cell.get("outputs", []))
        assert not KEY.search(text), "an API key is in a stored output"
        assert not LOCAL_PATH.search(text), f"a local path is in a stored output: {LOCAL_PATH.search(text)[0]}"
    meta = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]
    assert set(meta) <= {"kernelspec", "language_info"}, f"metadata noise: {sorted(meta)}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_starts_with_setup(notebook):
    first_code = next(c for c in _cells(notebook) if c["cell_type"] == "code")
    assert "workbook.setup()" in "".join(first_code["source"])
