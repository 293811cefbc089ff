"""The README's promises: its links resolve, and CI runs exactly the test command it gives."""

import json
import re

from workbook.lessons import ROOT, chapter_dirs

LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _markdown_sources():
    yield ROOT / "README.md", (ROOT / "README.md").read_text(encoding="utf-8")
    for chapter in chapter_dirs():
        yield chapter / "README.md", (chapter / "README.md").read_text(encoding="utf-8")
        for notebook in sorted(chapter.glob("*.ipynb")):
            cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
            yield notebook, "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def test_every_relative_link_resolves():
    broken = []
    for path, text in _markdown_sources():
        for target in LINK.findall(text):
            if not target.startswith(("http://", "https://", "mailto:")) and not (path.parent / target).exists():
                broken.append(f"{path.relative_to(ROOT)} -> {target}")
    assert not broken, broken


def test_readme_gives_exactly_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Start here")
    section = readme[start:readme.index("\n## ", start + 1)]
    commands = re.findall(r"```bash\n(.+?)\n```", section)
    assert len(commands) == 2, commands
    setup, tests = commands
    assert "pip install -r requirements.txt" in setup and setup.endswith("-m workbook run")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == tests, (ci[-1], tests)


def test_chapter_readmes_link_their_lessons():
    for chapter in chapter_dirs():
        readme = (chapter / "README.md").read_text(encoding="utf-8")
        for lesson in chapter.glob("[0-9][0-9]_[0-9][0-9]_*.ipynb"):
            assert lesson.name in readme, f"{chapter.name}/README.md does not mention {lesson.name}"
