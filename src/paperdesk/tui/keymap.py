"""User key remaps, and the effective keys of a widget for the help screen and the palette.

``$PAPERDESK_HOME/config.toml`` may hold::

    [keymap]
    "desk.mark_read" = "R"         # binding id = key(s), comma-separated
    "desk.search" = "slash,ctrl+f"

Every binding of the desk has an id (shown on the help screen), and Textual's
``App.set_keymap`` swaps the keys of those ids. A remap that cannot work is never applied:
an id no binding has, a key name Textual does not know (``ctrl+shift+banana``), or a key that
another binding already holds where the remapped one acts (``"desk.todo" = "j"`` while the
paper list moves down with ``j``). The desk starts with the default keys for those and says
so once, naming each.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.dom import DOMNode

#: Modifiers a terminal can send with a key, as Textual names them.
MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})

#: A screen's bindings as they compete for keys: the title and the classes whose bindings are
#: active together, outermost (the app) first.
Chain = tuple[str, Sequence[type["DOMNode"]]]


@dataclass(frozen=True)
class KeyHelp:
    """One action of a widget with every key that triggers it (after the user's remaps)."""

    keys: tuple[str, ...]
    description: str
    action: str
    binding_id: str | None


def keymap_table(path: Path, table: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The ``[keymap]`` table of a parsed ``config.toml`` (``path``), and what is wrong with
    its shape; :func:`check_keymap` then checks the entries."""
    keymap = table.get("keymap", {})
    if not isinstance(keymap, dict):
        return {}, [f'{path}: [keymap] must be a table of binding-id = "key"; default keys used']
    return keymap, []


@cache
def key_names() -> frozenset[str]:
    """Every key name Textual understands without modifiers: named keys (``escape``, ``f5``,
    ``pagedown``), letters and digits, and the names of printable ASCII characters as
    Textual spells them (``question_mark``, ``slash``, ``minus``)."""
    from textual.keys import KEY_NAME_REPLACEMENTS, Keys

    names = {key.value for key in Keys if "+" not in key.value and not key.value.startswith("<")}
    for code in range(33, 127):
        char = chr(code)
        names.add(char)
        if not char.isalnum():
            name = unicodedata.name(char).lower().replace("-", "_").replace(" ", "_")
            names.add(KEY_NAME_REPLACEMENTS.get(name, name))
    return frozenset(names)


def normal_key(key: str) -> str:
    """A key as Textual's bindings name it: ``?`` is ``question_mark``."""
    key = key.strip()
    if len(key) == 1 and not key.isalnum():
        from textual.keys import KEY_NAME_REPLACEMENTS

        name = unicodedata.name(key, key).lower().replace("-", "_").replace(" ", "_")
        return KEY_NAME_REPLACEMENTS.get(name, name)
    return key


def key_problem(key: str) -> str | None:
    """Why Textual cannot bind ``key`` (None when it can)."""
    key = key.strip()
    if not key:
        return "an empty key"
    *mods, base = key.split("+") if len(key) > 1 else [key]
    unknown = [mod for mod in mods if mod not in MODIFIERS]
    if unknown:
        return f"{unknown[0]!r} is not a modifier (use ctrl, shift, alt or meta)"
    if base not in key_names():
        return f"{base!r} is not a key name (e.g. a letter, f5, escape, pagedown, question_mark)"
    return None


def check_keymap(
    path: Path, table: dict[str, Any], chains: Callable[[], Iterable[Chain]]
) -> tuple[dict[str, str], list[str]]:
    """The remaps of ``table`` (read from ``path``) that can work, and one line for each that
    cannot (see the module docstring). ``chains`` is only called when there is something to
    check: it imports every screen, and with them pydantic (a third of the first frame)."""
    if not table:
        return {}, []
    chains = list(chains())
    known = binding_ids(cls for _, classes in chains for cls in classes)
    keymap: dict[str, str] = {}
    problems = []
    for binding_id, keys in table.items():
        if not isinstance(keys, str) or not keys.strip():
            problems.append(f'{path}: keymap {binding_id!r} needs a key string like "R"')
        elif binding_id not in known:
            problems.append(f"{path}: no binding with id {binding_id!r} (? shows the ids)")
        elif bad := next(
            (f"{k.strip()!r}: {why}" for k in keys.split(",") if (why := key_problem(k))), None
        ):
            problems.append(f"{path}: keymap {binding_id!r} = {keys!r}: {bad}")
        else:
            keymap[binding_id] = ",".join(normal_key(k) for k in keys.split(","))
    for binding_id, clash in clashes(keymap, chains).items():
        problems.append(f"{path}: keymap {binding_id!r} = {table[binding_id]!r}: {clash}")
        del keymap[binding_id]
    return keymap, problems


def clashes(keymap: dict[str, str], chains: Iterable[Chain]) -> dict[str, str]:
    """Remapped binding id -> why its new key is taken: another binding (with an id) holds
    the same key where both are active, so one of the two could never be pressed."""
    found: dict[str, str] = {}
    for title, classes in chains:
        holders: dict[str, dict[str, Binding]] = {}
        defaults: dict[str, set[str]] = {}
        for cls in classes:
            for key, binding in cls._merge_bindings():
                if binding.id is None:
                    continue
                defaults.setdefault(binding.id, set()).add(normal_key(key))
                remapped = keymap.get(binding.id)
                for bound in remapped.split(",") if remapped else [key]:
                    holders.setdefault(normal_key(bound), {})[binding.id] = binding
        for key, bindings in holders.items():
            for binding_id in bindings:
                moved = binding_id in keymap and key not in defaults[binding_id]
                if len(bindings) < 2 or not moved or binding_id in found:
                    continue
                other = next(b for i, b in bindings.items() if i != binding_id)
                found[binding_id] = (
                    f"{key} is already {other.id} ({other.description or other.action}) "
                    f"on the {title}"
                )
    return found


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
