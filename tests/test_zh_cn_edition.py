"""The zh-CN edition is in step with its English source: translated, not stale, identical in code.

The zh-CN notebooks are not run by nbval: they are proven identical to their English source in every
code cell, output, cell id, cell order and execution count, and the English source is run by nbval.
"""

import json
import re

import pytest

from workbook.i18n import LANG, editions, read_catalogue
from workbook.lessons import ROOT, chapter_dirs, lessons

EDITIONS = editions()
NOTEBOOKS = [e for e in EDITIONS if e.source.suffix == ".ipynb"]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
# Code, links, tags, and the lesson x provider table that `workbook matrix` generates (data, not prose).
NOT_PROSE = re.compile(r"<!-- provider-matrix:begin -->.*?<!-- provider-matrix:end -->|```.*?```|`[^`\n]*`"
                       r"|\]\([^)]*\)|<[^>\n]*>|https?://\S+", re.DOTALL)


def _label(edition):
    return str(edition.source.relative_to(ROOT))


@pytest.mark.parametrize("edition", EDITIONS, ids=_label)
def test_translated_and_not_stale(edition):
    edition.build()
    assert not edition.missing, f"no translation for {edition.missing}: run `python -m workbook translate --status`"
    assert not edition.stale, f"English changed since translated: {edition.stale}"


@pytest.mark.parametrize("edition", EDITIONS, ids=_label)
def test_built_file_is_what_the_catalogue_builds(edition):
    assert edition.target.exists(), f"{edition.target.relative_to(ROOT)} is not built"
    assert edition.target.read_text(encoding="utf-8") == edition.build(), "run `python -m workbook translate`"


def test_every_english_lesson_notebook_has_a_zh_cn_counterpart():
    for chapter in chapter_dirs():
        for notebook in (p for p in lessons(chapter) if p.suffix == ".ipynb"):
            assert (chapter / LANG / notebook.name).exists(), f"{notebook.name} has no {LANG} edition"


@pytest.mark.parametrize("edition", NOTEBOOKS, ids=_label)
def test_zh_cn_notebook_matches_its_source_except_markdown_text(edition):
    english = json.loads(edition.source.read_text(encoding="utf-8"))
    chinese = json.loads(edition.target.read_text(encoding="utf-8"))
    assert [(c["id"], c["cell_type"]) for c in chinese["cells"]] == [(c["id"], c["cell_type"]) for c in english["cells"]]
    assert chinese["metadata"] == english["metadata"]
    for en, zh in zip(english["cells"], chinese["cells"], strict=True):
        if en["cell_type"] == "markdown":
            assert {k: v for k, v in zh.items() if k != "source"} == {k: v for k, v in en.items() if k != "source"}
        else:
            assert zh == en, f"code cell {en['id']} differs from the English source"


def _letters(text):
    """CJK characters and Latin letters, leaving out code, links' targets, tags and URLs."""
    prose = NOT_PROSE.sub("", text)
    return len(CJK.findall(prose)), len(LATIN.findall(prose))


@pytest.mark.parametrize("edition", EDITIONS, ids=_label)
def test_translations_are_chinese(edition):
    """Half the letters of a file are Chinese; a cell has Chinese, and a quarter of a longer cell's letters."""
    entries = read_catalogue(edition.catalogue)
    for key, (_, text) in entries.items():
        cjk, latin = _letters(text)
        assert cjk, f"{key} has no Chinese"
        assert cjk + latin < 60 or cjk / (cjk + latin) >= 0.25, f"{key} looks untranslated: {cjk} CJK, {latin} Latin"
    cjk, latin = _letters("\n".join(text for _, text in entries.values()))
    assert cjk / max(cjk + latin, 1) >= 0.5, f"{cjk} CJK characters against {latin} Latin letters"


@pytest.mark.parametrize("edition", EDITIONS, ids=_label)
def test_links_resolve_from_the_zh_cn_file(edition):
    if edition.source.suffix == ".ipynb":
        cells = json.loads(edition.target.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = edition.target.read_text(encoding="utf-8")
    broken = [t for t in LINK.findall(text)
              if not t.startswith(("http://", "https://", "mailto:")) and not (edition.target.parent / t).exists()]
    assert not broken, broken


def test_a_stale_translation_is_reported(tmp_path):
    """The guard works: change an English cell after translating it, and the edition says so."""
    source = NOTEBOOKS[0]
    notebook = json.loads(source.source.read_text(encoding="utf-8"))
    first = next(c for c in notebook["cells"] if c["cell_type"] == "markdown")
    first["source"] = ["# changed after translation\n"]
    changed = tmp_path / source.source.name
    changed.write_text(json.dumps(notebook), encoding="utf-8")
    edition = type(source)(changed, source.catalogue, tmp_path / "out.ipynb")
    edition.build()
    assert first["id"] in edition.stale


def test_chapter_files_are_found_from_the_zh_cn_folder(monkeypatch):
    """Lesson code names chapter files with workbook.chapter_path; the path works from both editions."""
    from workbook import chapter_path

    chapter = ROOT / "06_mcp_multi_agent"
    for folder in (chapter, chapter / LANG):
        monkeypatch.chdir(folder)
        assert (chapter_path("course_mcp_server.py")).resolve() == chapter / "course_mcp_server.py"
        assert chapter_path("..", ".env.example").resolve() == ROOT / ".env.example"
