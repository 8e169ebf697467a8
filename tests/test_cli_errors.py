"""Review fixes of the CLI: output files, source names, damaged sources, one-line errors,
terminal-safe output, note edits, TODO names, statuses and topics. Real files, real processes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from paperdesk.catalog.models import TodoItem
from paperdesk.cli import main
from paperdesk.cli.common import print_json
from paperdesk.errors import InputError, UsageError
from paperdesk.locations import Locations
from paperdesk.state.store import Store

LIST = """# Test list

## OSDI 2024

### Serving
* [ ] Alpha Paper About Serving [paper](https://example.org/a) [GPU | Cache]
* [ ] Beta Paper On Storage [paper](https://example.org/b)

---
## TODO list

* [ ] [SOSP 2025](https://sosp.org) deadline 2025-04-17
"""
ESCAPES = "\x1b]52;c;ZXZpbA==\x07\x1b[2J"


@pytest.fixture
def listfile(tmp_path: Path) -> Path:
    path = tmp_path / "up.md"
    path.write_text(LIST, encoding="utf-8")
    return path


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperdesk", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def one_line_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("paperdesk: error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def script(tmp_path: Path, name: str, body: str) -> Path:
    """An executable Python script (an editor stand-in)."""
    path = tmp_path / name
    path.write_text(f"#!{sys.executable}\nimport sys, subprocess\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


# --- 1. -o writes through the path it is given ------------------------------------------------


def test_import_output_writes_through_a_symlink_and_keeps_the_mode(
    listfile: Path, tmp_path: Path
) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert main(["import", str(listfile), "-o", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["source"] == "up"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_new_output_file_is_0644_less_the_umask(listfile: Path, tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        assert main(["import", str(listfile), "-o", str(tmp_path / "a.json")]) == 0
        assert main(["export", "-o", str(tmp_path / "b.md")]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "b.md").stat().st_mode) == 0o640


def test_output_into_a_fifo_writes_it_and_keeps_the_fifo(listfile: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert main(["export", "-f", "csv", "-o", str(fifo)]) == 0
    reader.join(10)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got and got[0].startswith(b"id,title,")


def test_export_to_a_symlink_replaces_the_target_not_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert main(["export", "-o", str(link)]) == 0
    assert link.is_symlink() and real.read_text().startswith("# ")


def test_bad_output_paths_are_one_line_errors(listfile: Path, tmp_path: Path) -> None:
    one_line_error(run("import", str(listfile), "-o", str(tmp_path)), 2, "is a directory")
    afile = tmp_path / "afile"
    afile.write_text("keep")
    one_line_error(run("import", str(listfile), "-o", str(afile / "x.json")), 1, "Not a directory")
    one_line_error(run("export", "-o", str(afile / "x.md")), 1, "Not a directory")
    assert afile.read_text() == "keep"


# --- 2. source names ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../../evil", "a/b", ".hidden", ""])
def test_bad_source_names_are_refused(name: str, listfile: Path, isolated_home: Path) -> None:
    one_line_error(run("import", str(listfile), "--as", name), 2, "invalid source name")
    assert (
        not list(isolated_home.parent.rglob("evil*")) and not (isolated_home / "sources").exists()
    )
    with pytest.raises(UsageError):
        Locations(isolated_home).source_file(name)


def test_default_source_name_is_made_safe(tmp_path: Path, isolated_home: Path) -> None:
    path = tmp_path / "my list (v2).md"
    path.write_text(LIST)
    assert main(["import", str(path)]) == 0
    assert (isolated_home / "sources" / "my-list-v2-.json").is_file()


# --- 3. a damaged source -----------------------------------------------------------------------


def test_a_damaged_source_names_the_file_and_import_repairs_it(
    listfile: Path, isolated_home: Path
) -> None:
    assert run("import", str(listfile), "--as", "up").returncode == 0
    assert run("import", str(listfile), "--as", "zzz").returncode == 0
    up, other = (isolated_home / "sources" / f"{name}.json" for name in ("up", "zzz"))
    up.write_bytes(up.read_bytes()[:100])
    one_line_error(run("list"), 1, str(up), "'paperdesk import LIST --as up'", f"delete {up}")
    other.write_bytes(other.read_bytes()[:100])
    repaired = run("import", str(listfile), "--as", "up")
    assert repaired.returncode == 0, repaired.stderr
    assert f"warning: source {other} is damaged" in repaired.stderr
    assert json.loads(up.read_text())["source"] == "up"
    one_line_error(run("list"), 1, str(other))  # only import skips damaged sources
    other.unlink()
    assert "Alpha Paper" in run("list").stdout


def test_a_newer_catalog_says_upgrade(tmp_path: Path) -> None:
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"schema_version": 9, "source": 3, "entries": []}))
    one_line_error(run("import", str(newer)), 1, "newer than this paperdesk", "upgrade")


# --- 4. one line instead of a traceback --------------------------------------------------------


def test_bad_urls_are_one_line_errors() -> None:
    one_line_error(run("import", "http://[::1/x.md"), 2, "not a valid URL")
    one_line_error(run("import", "ftp://x/y.md"), 2, "only http(s) URLs")
    one_line_error(run("--catalog", "", "list"), 2, "--catalog needs a path")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only directories")
def test_read_only_home_is_one_line(listfile: Path, isolated_home: Path) -> None:
    Store.open(Locations(isolated_home).store)
    (isolated_home / "sources").mkdir()
    (isolated_home / "sources").chmod(0o500)
    try:
        one_line_error(run("import", str(listfile)), 1, "cannot write source")
    finally:
        (isolated_home / "sources").chmod(0o700)


def test_editor_problems_are_one_line(tmp_path: Path) -> None:
    note = ["note", "serverlessllm", "--edit"]
    one_line_error(run(*note, env={"EDITOR": 'vim "x', "VISUAL": ""}), 2, "$EDITOR")
    binary = script(tmp_path, "binary", "open(sys.argv[1], 'wb').write(b'caf\\xe9')")
    one_line_error(run(*note, env={"EDITOR": str(binary), "VISUAL": ""}), 1, "not UTF-8")
    deleter = script(tmp_path, "deleter", "import os; os.unlink(sys.argv[1])")
    one_line_error(run(*note, env={"EDITOR": str(deleter), "VISUAL": ""}), 1, "removed")
    one_line_error(run(*note, env={"EDITOR": "false", "VISUAL": ""}), 1, "exited with status 1")
    assert run("note", "serverlessllm").stdout == ""


def test_blank_editor_means_vi(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script(bin_dir, "vi", "open(sys.argv[1], 'w').write('written by vi')")
    env = {"EDITOR": "  ", "VISUAL": "", "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    assert run("note", "serverlessllm", "--edit", env=env).returncode == 0
    assert run("note", "serverlessllm").stdout == "written by vi\n"


def test_an_unforeseen_os_error_is_one_line(tmp_path: Path, isolated_home: Path) -> None:
    (isolated_home / "cache").write_text("a file where the cache directory should be")
    appender = script(
        tmp_path,
        "appender",
        f"subprocess.run([{sys.executable!r}, '-m', 'paperdesk', 'note', 'serverlessllm', "
        "'--append', 'other'], check=True)\nopen(sys.argv[1], 'w').write('mine')",
    )
    result = run("note", "serverlessllm", "--edit", env={"EDITOR": str(appender), "VISUAL": ""})
    one_line_error(result, 1, "note: ", str(isolated_home / "cache"))


# --- 5. control characters never reach the terminal --------------------------------------------


def test_escape_sequences_are_dropped_on_import_and_output(tmp_path: Path) -> None:
    evil = tmp_path / "evil.md"
    evil.write_text(
        f"# Evil\n\n## OSDI 2024\n\n### Top{ESCAPES}ic\n* Clip{ESCAPES}board Paper "
        f"[paper](https://e.org/x) [Tag{ESCAPES}]\n",
        encoding="utf-8",
    )
    result = run("import", str(evil))
    assert result.returncode == 0
    assert "control characters removed" in result.stderr
    for args in (["list"], ["show", "clip"], ["list", "--json"], ["todo", "list"]):
        out = run(*args).stdout
        assert "\x1b" not in out and "\x07" not in out, args
    assert "Clip]52;c;ZXZpbA==[2Jboard Paper" in run("list").stdout


def test_catalog_json_controls_are_stripped_from_text_and_escaped_in_json(
    tmp_path: Path,
) -> None:
    title = f"C1\x9b2J and{ESCAPES} Paper"
    catalog = {"source": "raw", "papers": [{"id": "c1-x", "title": title, "venue": "V 2024"}]}
    path = tmp_path / "raw.json"
    path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
    text = run("--catalog", str(path), "show", "c1-x").stdout
    assert text.splitlines()[0] == "C12J and]52;c;ZXZpbA==[2J Paper"
    raw = run("--catalog", str(path), "list", "--json").stdout
    assert "\x9b" not in raw and "\\u009b" in raw
    assert json.loads(raw)[0]["title"] == title


def test_print_json_escapes_what_a_terminal_acts_on(capsys: pytest.CaptureFixture[str]) -> None:
    print_json({"t": "x\x85\x1by\u202e ✓"})
    out = capsys.readouterr().out
    assert out == '{\n  "t": "x\\u0085\\u001by\\u202e ✓"\n}\n'
    assert json.loads(out) == {"t": "x\x85\x1by\u202e ✓"}


# --- 6. note --edit never overwrites a concurrent change ---------------------------------------


def test_note_edit_keeps_a_note_appended_meanwhile(tmp_path: Path, isolated_home: Path) -> None:
    assert run("note", "serverlessllm", "--set", "start").returncode == 0
    appender = script(
        tmp_path,
        "appender",
        f"subprocess.run([{sys.executable!r}, '-m', 'paperdesk', 'note', 'serverlessllm', "
        "'--append', 'from elsewhere'], check=True)\nopen(sys.argv[1], 'w').write('my edit')",
    )
    result = run("note", "serverlessllm", "--edit", env={"EDITOR": str(appender), "VISUAL": ""})
    conflict = isolated_home / "cache" / "note-conflict-serverlessllm-3610749549ea.md"
    one_line_error(result, 1, "changed while you edited", str(conflict), "merge")
    assert run("note", "serverlessllm").stdout == "start\nfrom elsewhere\n"
    assert conflict.read_text() == "my edit\n"


def test_note_edit_saves_when_nothing_changed_meanwhile(tmp_path: Path) -> None:
    editor = script(tmp_path, "editor", "open(sys.argv[1], 'a').write('appended\\n')")
    assert run("note", "serverlessllm", "--set", "start").returncode == 0
    assert run("note", "serverlessllm", "--edit", env={"EDITOR": str(editor)}).returncode == 0
    assert run("note", "serverlessllm").stdout == "start\nappended\n", "a line of its own"
    seen = tmp_path / "seen"
    copier = script(tmp_path, "copier", f"open({str(seen)!r}, 'w').write(open(sys.argv[1]).read())")
    assert run("note", "serverlessllm", "--edit", env={"EDITOR": str(copier)}).returncode == 0
    assert seen.read_text() == "start\nappended\n", "the editor's file ends in a newline"
    assert run("show", "serverlessllm", "--json").stdout.count('"start\\nappended"') == 1


# --- 8, 12. TODO names, and failing TODO commands write nothing --------------------------------


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_todo_names_are_refused(name: str, isolated_home: Path) -> None:
    one_line_error(run("todo", "add", name), 2, "needs a name")
    one_line_error(run("todo", "edit", "OSDI'25", "--rename", name), 2, "needs a name")
    store = Store.open(Locations(isolated_home).store)
    with pytest.raises(InputError, match="needs a name"):
        store.add_todo(TodoItem(name=name))


def test_todo_names_are_stripped(isolated_home: Path) -> None:
    assert run("todo", "add", "  MyConf 2026  ").returncode == 0
    names = [t.name for t in Store.open(Locations(isolated_home).store).todos()]
    assert names == ["MyConf 2026"]


def test_a_failing_todo_command_writes_nothing(isolated_home: Path) -> None:
    assert run("todo", "add", "MyConf").returncode == 0
    store = isolated_home / "store.json"
    before = store.read_bytes()
    one_line_error(run("todo", "edit", "nope", "--url", "x"), 1, "nope")
    one_line_error(run("todo", "edit", "OSDI'25", "--rename", "myconf"), 1, "exists")
    assert store.read_bytes() == before
    assert run("todo", "done", "OSDI'25").returncode == 0
    todos = Store.open(Locations(isolated_home).store).todos()
    assert [(t.name, t.done) for t in todos] == [("MyConf", False), ("OSDI'25", True)]


# --- 13, 14. unknown topics and statuses -------------------------------------------------------


def test_unknown_topic_is_not_found(tmp_path: Path) -> None:
    one_line_error(run("list", "--topic", "bogus"), 1, "no topic 'bogus'")
    out = tmp_path / "out.md"
    one_line_error(run("export", "--topic", "bogus", "-o", str(out)), 1, "no topic 'bogus'")
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["mark", "serverlessllm", "bogus"],
        ["list", "--status", "bogus"],
        ["export", "--status", "bogus"],
    ],
)
def test_unknown_status_is_the_same_error_everywhere(args: list[str]) -> None:
    one_line_error(run(*args), 2, "unknown status 'bogus'; use one of: unread, queued")


def test_mark_accepts_the_status_after_options() -> None:
    assert main(["mark", "--venue", "OSDI 2024", "queued", "--yes"]) == 0
    one_line_error(
        run("mark", "serverlessllm", "--venue", "OSDI 2024", "read"), 2, "either papers or"
    )
    unknown = run("mark", "serverlessllm", "read", "--bogus")
    assert unknown.returncode == 2 and "unrecognized arguments: --bogus" in unknown.stderr


def ids_of(*list_args: str) -> list[str]:
    result = run("list", "--json", *list_args)
    assert result.returncode == 0, result.stderr
    return [paper["id"] for paper in json.loads(result.stdout)]


def test_mark_scopes_narrow_together_and_never_mix_with_papers() -> None:
    osdi = ids_of("--venue", "OSDI 2024")
    scheduling = ids_of("--venue", "OSDI 2024", "--topic", "ML Scheduling")
    assert 0 < len(scheduling) < len(osdi)
    marked = run("mark", "--venue", "OSDI 2024", "--topic", "ML Scheduling", "skipped", "-y")
    assert marked.returncode == 0, marked.stderr
    assert ids_of("--status", "skipped") == scheduling
    assert run("mark", "--source", "awesome-papers", "queued", "--yes").returncode == 0
    assert ids_of("--status", "queued") == ids_of()
    one_line_error(run("mark", "--all", "--venue", "OSDI 2024", "read"), 2, "--all takes no")
    one_line_error(run("mark", "read"), 2, "name at least one paper")
    one_line_error(run("mark", "--source", "bogus", "read"), 1, "no source named 'bogus'")


# --- 15. doctor ---------------------------------------------------------------------------------


def test_doctor_restore_says_which_backup_and_its_age(isolated_home: Path) -> None:
    path = Locations(isolated_home).store
    store = Store.open(path, backup_interval=0)
    store.set_note(store_paper(), "kept")
    store.set_status([store_paper()], "read")
    path.write_text("{ broken")
    result = run("doctor", "--restore")
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    assert f"from backup {path}.1" in line and " s ago" in line and "1 paper state)" in line


def test_doctor_prints_readable_lines() -> None:
    assert run("mark", "serverlessllm", "read").returncode == 0
    out = run("doctor").stdout
    assert "{" not in out and "'" not in out
    assert "1 read" in out and "problems  none" in out


def store_paper():
    from paperdesk.catalog.records import Paper

    return Paper(id="p-1", title="P", venue="V 2024", source="s")


def test_a_store_link_to_a_missing_disk_is_refused_by_every_command(
    tmp_path: Path, isolated_home: Path, listfile: Path
) -> None:
    """The disk holding the real store is not mounted: no command reads an empty store from
    it or writes a new one there."""
    disk = tmp_path / "disk"
    (isolated_home / "store.json").symlink_to(disk / "paperdesk" / "store.json")
    for args in (["mark", "alpha", "read"], ["list"], ["show", "alpha"], ["todo", "list"]):
        result = run("--catalog", str(listfile), *args)
        one_line_error(result, 1, "is a symbolic link to", "does not exist", "mounted")
    one_line_error(run("doctor"), 1, "does not exist")
    assert not disk.exists()
    assert sorted(p.name for p in isolated_home.iterdir()) == ["store.json"]


def test_writes_refuse_a_store_that_reads_refuse(isolated_home: Path) -> None:
    store = isolated_home / "store.json"
    store.write_text('{"papers":{"1":{"status":5}}}')
    before = store.read_bytes()
    for args in (
        ["mark", "serverlessllm", "read"],
        ["note", "serverlessllm", "--set", "x"],
        ["todo", "add", "Probe Conf"],
    ):
        one_line_error(
            run(*args), 1, "papers record '1' is invalid", "nothing was written", "doctor"
        )
    one_line_error(run("list"), 1, "papers record '1' is invalid")
    assert store.read_bytes() == before
    doctor = run("doctor")
    assert doctor.returncode == 1
    assert f"edit or delete that record in {store}" in doctor.stdout
