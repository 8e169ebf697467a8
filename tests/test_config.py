"""config.toml: settings read from the file, the environment over it, typos named in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdesk.config import load_config, setting
from paperdesk.errors import InputError
from paperdesk.locations import Locations


def test_a_home_without_a_file_has_no_settings(tmp_path: Path) -> None:
    assert setting(Locations(tmp_path), "net", "timeout") is None


def test_the_file_gives_a_setting_and_the_environment_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.toml").write_text("[net]\ntimeout = 12\n[arxiv]\ninterval = 1\n")
    locations = Locations(tmp_path)
    assert setting(locations, "net", "timeout", "PAPERDESK_TEST_TIMEOUT") == 12.0
    assert setting(locations, "arxiv", "interval") == 1.0
    monkeypatch.setenv("PAPERDESK_TEST_TIMEOUT", "7")
    assert setting(locations, "net", "timeout", "PAPERDESK_TEST_TIMEOUT") == "7"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[net]\ntimout = 12\n", "net.timout"),
        ("[net]\ntimeout = -1\n", "net.timeout"),
        ("[nett]\ntimeout = 1\n", "nett"),
        ("[net\n", "not valid TOML"),
        ("[net]\ntimeout = inf\n", "net.timeout"),
        ("[dblp]\ninterval = inf\n", "dblp.interval"),
        ("[dblp]\ninterval = nan\n", "dblp.interval"),
        ("[dblp]\ninterval = -1\n", "dblp.interval"),
        ("[dblp]\ninterval = 30\n", "dblp.interval"),
        ("[arxiv]\ninterval = 30\n", "arxiv.interval"),
    ],
)
def test_a_mistake_is_one_line_naming_the_setting(tmp_path: Path, text: str, named: str) -> None:
    (tmp_path / "config.toml").write_text(text)
    with pytest.raises(InputError) as info:
        load_config(Locations(tmp_path))
    message = str(info.value)
    assert named in message and "config.toml" in message and "\n" not in message


def test_the_desk_section_is_one_model_for_the_cli_and_one_check_for_the_desk(
    tmp_path: Path,
) -> None:
    from paperdesk.config import DESK_DEFAULTS, desk_settings, read_table

    locations = Locations(tmp_path)
    (tmp_path / "config.toml").write_text("[desk]\nfeeds_in_all = true\n")
    assert setting(locations, "desk", "feeds_in_all") is True  # what a command sees
    assert desk_settings(locations, read_table(locations)) == ({"feeds_in_all": True}, [])
    (tmp_path / "config.toml").write_text("[desk]\nfeeds_in_all = 1\n")
    with pytest.raises(InputError, match=r"desk\.feeds_in_all"):
        load_config(locations)  # the same rule as the desk's: true or false, not 1
    (tmp_path / "config.toml").write_text("[desk]\nfeeds_in_all = 1\nfeeds = true\n")
    settings, problems = desk_settings(locations, read_table(locations))
    assert settings == DESK_DEFAULTS and len(problems) == 2
