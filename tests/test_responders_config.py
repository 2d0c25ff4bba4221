"""The response configuration: shipped defaults, operator files, mistakes reported at start."""

import pytest

from pipeline.errors import StartupError
from pipeline.settings import load_settings
from responders.config import load, quiet_window, resolve_path


def test_shipped_defaults_follow_the_national_deadlines():
    cfg = load()
    assert cfg["milestones"]["release_hours"] == 5 and cfg["milestones"]["press_conference_hours"] == 24
    assert cfg["milestones"]["response_hours"] == 48
    assert cfg["reminders"]["release_hours"] == [2, 4, 4.5]
    assert quiet_window(cfg["notifications"]["quiet_hours"]) == (22 * 60, 7 * 60)


@pytest.mark.parametrize("text,message", [
    ("milestones: {release_hours: 5}\n", "section 'milestones' needs"),
    ("- a list\n", "mapping"),
    (": : bad", "cannot read"),
])
def test_mistakes_stop_start_up_with_the_reason(tmp_path, text, message):
    path = tmp_path / "response.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StartupError, match=message):
        load(str(path))


def test_the_operator_file_is_found_in_var(clean_env, tmp_path):
    settings = load_settings(environ={"YUQING_VAR": str(tmp_path)}, cwd=tmp_path)
    assert resolve_path(settings) == ""
    (tmp_path / "response.yaml").write_text("x: 1\n", encoding="utf-8")
    assert resolve_path(settings) == str(tmp_path / "response.yaml")
