"""The zh-CN edition, built from the English source and a catalogue of translations.

English is the source. Each translated English file has a catalogue, a Markdown file of entries

    <!-- cell: c03 sha: 1a2b3c4d5e6f -->
    中文译文……

keyed by the English notebook cell's id and the first 12 hex digits of the sha256 of that cell's
source when it was translated. Only markdown cells are translated: the built notebook takes its
code cells, outputs, ids, order and execution counts from the English notebook as they are.
READMEs and INSTRUCTORS.md are translated whole: one entry keyed `file`, with the whole file's sha.

An entry is *missing* when the catalogue has no entry for an English cell, *stale* when the English
cell changed after it was translated (the sha no longer matches), and *unused* when no English cell has
its id: a cell that was removed, or one translated before its English lands. Unused entries are listed,
never built, and do not count as work left.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .lessons import ROOT, chapter_dirs, lessons

LANG = "zh-CN"
ENTRY = re.compile(r"^<!-- cell: (\S+) sha: ([0-9a-f]{12}) -->\n", re.MULTILINE)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def read_catalogue(path: Path) -> dict[str, tuple[str, str]]:
    """{cell id: (English sha, translation)}; an absent catalogue is empty."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    marks = list(ENTRY.finditer(text))
    return {m[1]: (m[2], text[m.end():marks[i + 1].start() if i + 1 < len(marks) else len(text)].strip("\n"))
            for i, m in enumerate(marks)}


@dataclass
class Edition:
    """One English file, its catalogue and the zh-CN file built from them."""
    source: Path
    catalogue: Path
    target: Path
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale)

    def build(self) -> str:
        """The zh-CN file's text; records what is missing or stale (those keep the English text)."""
        entries = read_catalogue(self.catalogue)
        self.missing, self.stale = [], []
        if self.source.suffix != ".ipynb":
            english = self.source.read_text(encoding="utf-8")
            self.unused = sorted(set(entries) - {"file"})
            return self._translate("file", english, entries).strip("\n") + "\n"
        notebook = json.loads(self.source.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "markdown":
                text = self._translate(cell["id"], "".join(cell["source"]), entries)
                cell["source"] = text.splitlines(keepends=True)
        self.unused = sorted(set(entries) - {c["id"] for c in notebook["cells"] if c["cell_type"] == "markdown"})
        return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    def _translate(self, key: str, english: str, entries: dict[str, tuple[str, str]]) -> str:
        if key not in entries:
            self.missing.append(key)
            return english
        if entries[key][0] != sha(english):
            self.stale.append(key)
        return entries[key][1]

    def in_step(self) -> bool:
        """The committed zh-CN file is what its catalogue builds today."""
        return self.target.exists() and self.target.read_text(encoding="utf-8") == self.build()


def editions(chapters: list[str] | None = None) -> list[Edition]:
    """Every translated file: lesson notebooks and READMEs of the chosen chapters (all: also the top ones)."""
    found = []
    for chapter in chapter_dirs(chapters):
        out = chapter / LANG
        for notebook in (p for p in lessons(chapter) if p.suffix == ".ipynb"):
            found.append(Edition(notebook, out / "catalog" / f"{notebook.stem}.md", out / notebook.name))
        found.append(Edition(chapter / "README.md", out / "catalog" / "README.md", out / "README.md"))
    if not chapters:
        env = ROOT / "00_environment" / LANG
        found.append(Edition(ROOT / "README.md", env / "catalog" / "README.top.md", ROOT / f"README.{LANG}.md"))
        instructors = ROOT / "00_environment" / "INSTRUCTORS.md"
        if instructors.exists():
            found.append(Edition(instructors, env / "catalog" / "INSTRUCTORS.md", env / "INSTRUCTORS.md"))
    return found


def write(edition: Edition) -> bool:
    """Build the zh-CN file; True when its text changed."""
    text = edition.build()
    if edition.target.exists() and edition.target.read_text(encoding="utf-8") == text:
        return False
    edition.target.parent.mkdir(parents=True, exist_ok=True)
    edition.target.write_text(text, encoding="utf-8")
    return True


def todo_lines(edition: Edition) -> list[str]:
    """What to translate again, with the marker to paste into the catalogue."""
    english = {}
    if edition.source.suffix == ".ipynb":
        cells = json.loads(edition.source.read_text(encoding="utf-8"))["cells"]
        english = {c["id"]: "".join(c["source"]) for c in cells}
    else:
        english["file"] = edition.source.read_text(encoding="utf-8")
    lines = [f"  {kind}: <!-- cell: {key} sha: {sha(english[key])} -->"
             for kind, keys in (("missing", edition.missing), ("stale", edition.stale)) for key in keys]
    return lines + [f"  unused: {key} (no English cell has this id)" for key in edition.unused]


def translate_command(chapters: list[str], check: bool, status: bool, console) -> int:
    """`python -m workbook translate`: build (default), `--status` lists the work left, `--check` fails on it."""
    problems = 0
    for edition in editions(chapters):
        if check or status:
            edition.build()
            behind = check and not edition.in_step()
        else:
            behind = False
            if write(edition):
                console.print(f"built {edition.target.relative_to(ROOT)}", highlight=False)
        if edition.ok and not behind and not status:
            continue  # unused entries alone are no work: they show with --status
        state = "ok" if edition.ok else f"{len(edition.missing)} missing, {len(edition.stale)} stale"
        note = " (zh-CN file differs from its catalogue: run translate)" if behind else ""
        console.print(f"{edition.source.relative_to(ROOT)}: {state}{note}", highlight=False, markup=False)
        for line in todo_lines(edition):
            console.print(line, highlight=False, markup=False)
        problems += (not edition.ok) or behind
    console.print(f"{problems} file(s) need translation work" if problems else "zh-CN edition in step")
    return 1 if check and problems else 0


def rebuild_zh_cn_of(notebook: Path) -> Path | None:
    """After an English notebook is re-executed: rebuild its zh-CN twin, so code and outputs stay identical."""
    for edition in editions():
        if edition.source == notebook.resolve():
            return edition.target if write(edition) else None
    return None
