"""Chapter 00: the doctor table, the course map, and the chapters running end to end."""

import json
from pathlib import Path

from workbook.doctor import diagnose
from workbook.offline import Options, start_in_background

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "00_environment"
FEATURES = ["Chat Completions", "Responses API", "streaming", "function tools", "json_schema output",
            "json_object output", "reasoning"]


def test_doctor_reports_all_seven_features_ok_on_the_offline_model():
    server = start_in_background(Options())
    try:
        checks = diagnose(server.base_url, "any-key", "course-model")
    finally:
        server.stop()
    assert [c.feature for c in checks] == FEATURES
    assert all(c.ok for c in checks), [(c.feature, c.detail) for c in checks if not c.ok]
    assert "get_weather" in checks[3].detail


def test_doctor_reports_no_responses_api_in_chat_only_mode():
    server = start_in_background(Options(chat_only=True))
    try:
        checks = {c.feature: c for c in diagnose(server.base_url, "any-key", "course-model")}
    finally:
        server.stop()
    assert not checks["Responses API"].ok
    assert checks["Responses API"].detail.startswith("404")
    assert all(c.ok for name, c in checks.items() if name != "Responses API")


def _markdown(name):
    cells = json.loads((CHAPTER / name).read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def test_course_map_has_a_mermaid_diagram_with_six_nouns_and_three_planes():
    text = _markdown("00_03_course_map.ipynb")
    assert "```mermaid" in text
    block = text.split("```mermaid", 1)[1].split("```", 1)[0]
    for word in ["Agent", "Runner", "Model", "Conversation", "Tool", "Events",
                 "Model Plane", "Capability Plane", "Execution Plane"]:
        assert word in block, f"{word} missing from the diagram"


def test_check_notebook_stores_a_failing_responses_row_and_the_other_rows_ok():
    cells = json.loads((CHAPTER / "00_02_check.ipynb").read_text(encoding="utf-8"))["cells"]
    text = "".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c["outputs"])
    assert text.count("NOT SUPPORTED") == 1 and "Responses API        NOT SUPPORTED" in text
    assert text.count(" ok ") == 13  # 7 on course-model, 6 on course-chat-only


def test_readme_explains_the_cli():
    readme = (CHAPTER / "README.md").read_text(encoding="utf-8")
    for command in ("serve", "doctor", "run", "execute"):
        assert f"python -m workbook {command}" in readme

