"""Every lesson script runs offline, start to finish, as a learner would run it."""

import pytest

from workbook.lessons import SERVICES, chapter_dirs, lessons, run_script

pytestmark = pytest.mark.lessons  # runs lessons: the session starts the fork server

SCRIPTS = [p for chapter in chapter_dirs() for p in lessons(chapter)
           if p.suffix == ".py" and p.name not in SERVICES]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_script_runs_offline(script):
    outcome = run_script(script, timeout=240)
    assert outcome.ok, outcome.detail


def test_every_chapter_has_lessons_and_a_readme():
    for chapter in chapter_dirs():
        assert (chapter / "README.md").is_file(), f"{chapter.name} has no README.md"
        assert lessons(chapter), f"{chapter.name} has no lessons"
