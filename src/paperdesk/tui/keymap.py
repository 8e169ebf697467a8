"""User key remaps, and the effective keys of a widget for the help screen and the palette.

``$PAPERDESK_HOME/config.toml`` may hold::

    [keymap]
    "list.mark_read" = "R"         # binding id = key(s), comma-separated
    "desk.search" = "slash,ctrl+f"

Every binding of the desk has an id (shown on the help screen), and Textual's
``App.set_keymap`` swaps the keys of those ids. A broken file never stops the desk: it is
reported once and the default keys stay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.dom import DOMNode


@dataclass(frozen=True)
class KeyHelp:
    """One action of a widget with every key that triggers it (after the user's remaps)."""

    keys: tuple[str, ...]
    description: str
    action: str
    binding_id: str | None


def read_keymap(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The ``[keymap]`` table of ``path`` (empty when there is no file) and what was wrong with
    the file; :func:`check_keymap` then checks the table's entries."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [f"cannot read {path}: {exc}"]
    import tomllib  # only for a home that has a config file

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {}, [f"{path} is not valid TOML ({exc}); default keys used"]
    table = data.get("keymap", {})
    if not isinstance(table, dict):
        return {}, [f'{path}: [keymap] must be a table of binding-id = "key"']
    return table, []


def check_keymap(
    path: Path, table: dict[str, Any], classes: Callable[[], Iterable[type[DOMNode]]]
) -> tuple[dict[str, str], list[str]]:
    """The remaps of ``table`` (read from ``path``) that name a binding id of ``classes``, and
    what was wrong with the others. ``classes`` is only called when there is something to
    check: it imports every screen."""
    known = binding_ids(classes()) if table else set()
    keymap: dict[str, str] = {}
    problems = []
    for binding_id, keys in table.items():
        if not isinstance(keys, str) or not keys.strip():
            problems.append(f'{path}: keymap {binding_id!r} needs a key string like "R"')
        elif binding_id not in known:
            problems.append(f"{path}: no binding with id {binding_id!r} (see ? for the ids)")
        else:
            keymap[binding_id] = keys.strip()
    return keymap, problems


def binding_ids(classes: Iterable[type[DOMNode]]) -> set[str]:
    """Every binding id declared on these classes (and their bases)."""
    return {
        binding.id
        for cls in classes
        for _, binding in cls._merge_bindings()
        if binding.id is not None
    }


def key_help(node: DOMNode) -> list[KeyHelp]:
    """The described actions of ``node`` with their effective keys, in declaration order.

    Reads the node's bindings and the app's normalised keymap exactly as Textual's own key
    dispatch does (``_bindings`` / ``_keymap``), so what the help shows is what a key does.
    """
    bindings = node._bindings.copy()
    keymap = node.app._keymap
    if keymap:
        bindings.apply_keymap(keymap)
    grouped: dict[tuple[str, str], list[Binding]] = {}
    for _, binding in bindings:
        if binding.description:
            grouped.setdefault((binding.action, binding.description), []).append(binding)
    return [
        KeyHelp(
            keys=tuple(dict.fromkeys(node.app.get_key_display(b) for b in group)),
            description=description,
            action=action,
            binding_id=next((b.id for b in group if b.id), None),
        )
        for (action, description), group in grouped.items()
    ]
