from pathlib import Path

import pytest

from pipeline.errors import StartupError
from pipeline.settings import REGISTRY, load_settings, markdown_table, mask_url

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_apply_without_file_or_env(tmp_path):
    s = load_settings(environ={}, cwd=tmp_path)
    assert s.port == 8700 and s.demo is True and s.redis_url == ""
    assert s.origins["port"] == "default"


def test_layers_yaml_then_env_then_flags(tmp_path):
    (tmp_path / "yuqing.yaml").write_text("port: 9000\nworkers: 3\nlog_level: DEBUG\n", encoding="utf-8")
    s = load_settings(environ={"YUQING_WORKERS": "5"}, cwd=tmp_path)
    assert s.port == 9000 and s.workers == 5 and s.log_level == "DEBUG"
    assert s.origins["workers"] == "environment YUQING_WORKERS"
    flagged = s.replace(port=9100, workers=None)
    assert flagged.port == 9100 and flagged.workers == 5
    assert flagged.origins["port"] == "command line"


def test_relative_var_in_yaml_is_relative_to_the_file(tmp_path):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "y.yaml").write_text("var: data\n", encoding="utf-8")
    s = load_settings(config=conf / "y.yaml", environ={}, cwd=tmp_path)
    assert s.var_dir == (conf / "data").resolve()


def test_redis_url_env_alias_beats_yaml_but_not_prefixed(tmp_path):
    (tmp_path / "yuqing.yaml").write_text("redis_url: redis://yaml:1/0\n", encoding="utf-8")
    s = load_settings(environ={"REDIS_URL": "redis://env:2/0"}, cwd=tmp_path)
    assert s.redis_url == "redis://env:2/0"
    s = load_settings(environ={"REDIS_URL": "redis://env:2/0", "YUQING_REDIS_URL": "redis://pref:3/0"}, cwd=tmp_path)
    assert s.redis_url == "redis://pref:3/0"


def test_unknown_yaml_key_suggests_the_right_one(tmp_path):
    (tmp_path / "yuqing.yaml").write_text("prot: 1\n", encoding="utf-8")
    with pytest.raises(StartupError, match=r"unknown setting 'prot'.*did you mean 'port'"):
        load_settings(environ={}, cwd=tmp_path)


def test_unknown_env_variable_is_refused(tmp_path):
    with pytest.raises(StartupError, match="YUQING_WORKRES.*YUQING_WORKERS"):
        load_settings(environ={"YUQING_WORKRES": "2"}, cwd=tmp_path)


@pytest.mark.parametrize("env, message", [
    ({"YUQING_PORT": "eighty"}, "not a whole number"),
    ({"YUQING_DEMO": "maybe"}, "not true or false"),
    ({"YUQING_PORT": "-1"}, "at least 0"),
    ({"YUQING_LOG_LEVEL": "LOUD"}, "choose one of DEBUG"),
])
def test_wrong_values_say_how_to_fix(tmp_path, env, message):
    with pytest.raises(StartupError, match=message):
        load_settings(environ=env, cwd=tmp_path)


def test_invalid_yaml_and_missing_explicit_file(tmp_path):
    (tmp_path / "yuqing.yaml").write_text("port: [1,\n", encoding="utf-8")
    with pytest.raises(StartupError, match="not valid YAML"):
        load_settings(environ={}, cwd=tmp_path)
    with pytest.raises(StartupError, match="does not exist"):
        load_settings(config=tmp_path / "nope.yaml", environ={}, cwd=tmp_path)


def test_secret_from_file_is_masked_and_not_read_from_yaml(tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret-value\n", encoding="utf-8")
    s = load_settings(environ={"YUQING_SECRET_KEY_FILE": str(secret)}, cwd=tmp_path)
    assert s.secret_key == "s3cret-value"
    assert s.shown("secret_key") == "********"
    (tmp_path / "yuqing.yaml").write_text("secret_key: abc\n", encoding="utf-8")
    with pytest.raises(StartupError, match="is a secret"):
        load_settings(environ={}, cwd=tmp_path)


def test_secret_value_never_appears_in_type_errors(tmp_path):
    (tmp_path / "yuqing.yaml").write_text("", encoding="utf-8")
    with pytest.raises(StartupError) as info:
        load_settings(environ={"YUQING_SECRET_KEY": ""}, cwd=tmp_path).replace(secret_key=["leak-me"])
    assert "leak-me" not in str(info.value)


def test_mask_url_hides_password_only():
    assert mask_url("redis://:pw@127.0.0.1:6379/0") == "redis://:********@127.0.0.1:6379/0"
    assert mask_url("redis://user:pw@h:1/2") == "redis://user:********@h:1/2"
    assert mask_url("redis://h:1/0") == "redis://h:1/0"


def test_as_env_round_trips_through_a_child(tmp_path):
    s = load_settings(environ={"YUQING_WORKERS": "4"}, cwd=tmp_path).replace(demo=False, var=str(tmp_path / "v"))
    child = load_settings(environ=s.as_env(), cwd=tmp_path / "elsewhere")
    assert child.workers == 4 and child.demo is False and child.var_dir == (tmp_path / "v").resolve()


def test_every_setting_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, "README's settings table is stale: run `make docs`"
    for s in REGISTRY:
        assert s.help.strip(), f"setting {s.name} has no help"
        assert f"`{s.name}`" in readme
