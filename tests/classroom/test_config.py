"""Class mode's deployment settings, checked at start like every other LSTM_VIZ_* setting."""

from __future__ import annotations

import pytest

from lstm_viz.classroom import config
from lstm_viz.state.teacher_env import TeacherEnvError, read


def test_the_defaults_need_nothing(tmp_path):
    s = config.read({"XDG_DATA_HOME": str(tmp_path)})
    assert s.url == f"sqlite:///{tmp_path / 'lstm-viz' / 'classroom.db'}"
    assert (s.password, s.class_days, s.shared) == (None, 30, False)
    s = config.read({"LSTM_VIZ_DATA_DIR": str(tmp_path / "d"), "LSTM_VIZ_CLASS_DAYS": "7",
                     "LSTM_VIZ_TEACHER_PASSWORD": "pw"})
    assert s.url.endswith("/d/classroom.db") and (s.password, s.class_days) == ("pw", 7)
    url = "postgresql+psycopg://u:p@db:5432/lv"
    assert config.read({"LSTM_VIZ_DATABASE_URL": url}).shared


@pytest.mark.parametrize(("name", "value", "rule"), [
    ("LSTM_VIZ_DATABASE_URL", "mysql://u@h/d", "postgresql+psycopg://"),
    ("LSTM_VIZ_DATABASE_URL", "not a url", "not a database URL"),
    ("LSTM_VIZ_DATABASE_URL", "postgresql+psycopg:///db", "names no host"),
    ("LSTM_VIZ_CLASS_DAYS", "0", "whole number from 1"),
    ("LSTM_VIZ_CLASS_DAYS", "1e3", "whole number from 1"),
    ("LSTM_VIZ_TEACHER_PASSWORD", "  ", "is empty"),
    ("LSTM_VIZ_DATA_DIR", "/proc/version", "is not a folder"),
])
def test_bad_settings_stop_the_server_with_their_rule(name, value, rule):
    with pytest.raises(TeacherEnvError) as err:
        read({name: value})
    assert name in str(err.value) and rule in str(err.value)


def test_the_database_url_is_never_echoed():
    with pytest.raises(TeacherEnvError) as err:
        read({"LSTM_VIZ_DATABASE_URL": "mysql://teacher:hunter2@h/d"})
    assert "hunter2" not in str(err.value)


def test_the_log_line_hides_the_password(tmp_path):
    line = config.describe(config.read({"LSTM_VIZ_DATABASE_URL":
                                        "postgresql+psycopg://u:hunter2@db:5432/lv"}))
    assert "hunter2" not in line and "db:5432/lv" in line and "anyone may open" in line
    line = config.describe(config.read({"LSTM_VIZ_DATA_DIR": str(tmp_path),
                                        "LSTM_VIZ_TEACHER_PASSWORD": "pw"}))
    assert f"SQLite {tmp_path}/classroom.db" in line and "a password opens" in line
