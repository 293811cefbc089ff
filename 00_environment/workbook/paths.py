"""Where a lesson's files are, from wherever its notebook runs."""

from __future__ import annotations

from pathlib import Path


def chapter_path(*parts: str) -> Path:
    """A path inside the current lesson's chapter folder, relative to the working directory.

    A notebook runs in its own folder: the chapter folder for the English lessons, the chapter's
    `zh-CN/` folder (one level down) for the Chinese edition. Naming a chapter file through this
    function, `chapter_path("course_mcp_server.py")`, gives a path that works from both.
    """
    chapter = Path("..") if Path.cwd().name == "zh-CN" else Path()
    return chapter.joinpath(*parts)
