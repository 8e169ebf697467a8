"""The README's two set-up commands are what CI and users really run."""

from __future__ import annotations

import re

from conftest import REPO


def shell_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, re.S)]


def test_readme_gives_exactly_two_setup_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = shell_blocks(setup)
    assert len(commands) == 2
    assert commands[0].endswith("paperdesk") and "pip install ." in commands[0]
    assert "'.[test]'" in commands[1] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    test_command = shell_blocks(setup)[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_the_readme_config_example_uses_real_ids_and_settings() -> None:
    import tomllib

    from paperdesk.config import DESK_DEFAULTS
    from paperdesk.tui.app import PaperdeskApp
    from paperdesk.tui.keymap import binding_ids, key_problem

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    [example] = re.findall(r"```toml\n(.*?)```", readme, re.S)
    table = tomllib.loads(example)
    chains = PaperdeskApp.binding_chains()
    known = binding_ids(cls for _, classes in chains for cls in classes)
    assert table["keymap"] and set(table["keymap"]) <= known
    for keys in table["keymap"].values():
        assert all(key_problem(key) is None for key in keys.split(","))
    assert set(table["desk"]) <= set(DESK_DEFAULTS)
