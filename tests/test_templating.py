import pytest
from jinja2 import Environment

from pipeline.errors import StartupError
from pipeline.templating import loader, shipped_dir


def test_shipped_templates_are_found():
    assert (shipped_dir() / "dashboard" / "status.html").is_file()
    env = Environment(loader=loader(), autoescape=True)
    assert env.get_template("dashboard/base.html")


def test_operator_folder_overrides_shipped_template(tmp_path):
    (tmp_path / "dashboard").mkdir()
    (tmp_path / "dashboard" / "base.html").write_text("运维自定义 {{ x }}", encoding="utf-8")
    env = Environment(loader=loader(str(tmp_path)), autoescape=True)
    assert env.get_template("dashboard/base.html").render(x="<b>") == "运维自定义 &lt;b&gt;"
    source, filename, _ = env.loader.get_source(env, "dashboard/status.html")
    assert "系统状态" in source and filename.startswith(str(shipped_dir()))  # the rest: the shipped set


def test_missing_operator_folder_is_a_clear_error(tmp_path):
    with pytest.raises(StartupError, match="is not a folder"):
        loader(str(tmp_path / "nope"))
