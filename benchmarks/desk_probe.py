"""The benchmark's child process: run a Textual app headless and time what reaches the screen.

bench.py reads ``time.monotonic()`` just before it spawns this script, and every time printed
here is ``time.monotonic()`` too (one clock for all processes on Linux), so a first frame counts
interpreter start-up and imports, as a user waiting for the desk does.

Headless Textual composes every frame but skips turning it into terminal output. A hook on
``App._display`` does that work (``render_segments``, what the terminal driver would pay), then
applies the frame to a character grid, so the probe sees the screen a user would see.
``textual._compositor`` is private API; it is what the driver itself is handed.

Prints one JSON object on stdout: ``first_frame`` and, for the desk, ``settled`` (monotonic
times: the first frame with titles, and the store open with its validated states shown), the
process's peak RSS, and with ``--status``/``--search``/``--query``/``--triage`` the latency of
each status change, search keystroke, field-query keystroke and triage key (pick or skip, to
the next paper on the card), in seconds (timed once the desk is settled).
A measurement that cannot be taken prints ``{"error": ...}`` and exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path

from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static

TIMEOUT = 30.0
ACTION_TIMEOUT = 5.0
SETTLE = 0.25
MARKER = re.compile(r"\bP(\d+): ")

Predicate = Callable[["Grid"], bool]


class ProbeError(Exception):
    """A measurement that could not be taken; reported as one line."""


class Grid:
    """The terminal's characters, kept up to date from the frames the app sends."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.rows = [[" "] * width for _ in range(height)]

    def apply(self, update: CompositorUpdate) -> None:
        if isinstance(update, LayoutUpdate):
            x = update.region.x
            for y, line in enumerate(update.strips, update.region.y):
                self._put(x, y, "".join(strip.text for strip in line))
        elif isinstance(update, ChopsUpdate):
            for y, x1, x2 in update.spans:
                pieces = zip(update.chop_ends[y], update.chops[y].items(), strict=False)
                for end, (x, strip) in pieces:
                    if strip is not None and x <= x2 and end > x1:
                        self._put(x, y, strip.text[: min(end, x2) - x])

    def _put(self, x: int, y: int, text: str) -> None:
        if 0 <= y < len(self.rows) and x < self.width:
            text = text[: self.width - x]
            self.rows[y][x : x + len(text)] = text

    def lines(self, region: Region | None = None) -> list[str]:
        if region is None:
            return ["".join(row) for row in self.rows]
        rows = self.rows[region.y : region.bottom]
        return ["".join(row[region.x : region.right]) for row in rows]


class Frames:
    """Resolves waits on the first frame after which the screen satisfies a predicate."""

    def __init__(self, grid: Grid) -> None:
        self.grid = grid
        self.waits: list[tuple[Predicate, asyncio.Future[float]]] = []

    def on_frame(self, update: CompositorUpdate, at: float) -> None:
        self.grid.apply(update)
        for predicate, future in list(self.waits):
            if future.done():
                self.waits.remove((predicate, future))
            elif predicate(self.grid):
                future.set_result(at)
                self.waits.remove((predicate, future))

    def wait_for(self, predicate: Predicate) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waits.append((predicate, future))
        return future


def hook_display(frames: Frames) -> None:
    """Make every frame the app sends visible to ``frames``, timed when it is ready to write."""
    original = App._display

    def display(app: App, screen: object, renderable: object) -> None:
        original(app, screen, renderable)  # type: ignore[arg-type]
        if isinstance(renderable, CompositorUpdate) and not app._batch_count:
            renderable.render_segments(app.console)
            frames.on_frame(renderable, time.monotonic())

    App._display = display  # type: ignore[method-assign]


class Bare(App[None]):
    """The floor: a Textual app with one Static."""

    def compose(self) -> ComposeResult:
        yield Static("BARE-READY")


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def watch_file(path: Path, future: asyncio.Future[float]) -> None:
    """Resolve ``future`` with the time ``path`` is replaced (an atomic write has landed)."""
    loop = future.get_loop()
    before = file_stamp(path)

    def resolve(at: float) -> None:
        if not future.done():
            future.set_result(at)

    def poll() -> None:
        while not future.done():
            if file_stamp(path) != before:
                loop.call_soon_threadsafe(resolve, time.monotonic())
                return
            time.sleep(0.0005)

    threading.Thread(target=poll, daemon=True).start()


def find_list(app: App, grid: Grid) -> Widget:
    """The widget that shows the paper titles: the smallest one holding 90% of the markers."""
    points = [
        (match.start(), y) for y, line in enumerate(grid.lines()) for match in MARKER.finditer(line)
    ]
    best: Widget | None = None
    for widget in app.screen.query("*"):
        region = widget.region
        inside = sum(1 for x, y in points if region.contains(x, y))
        if inside < 0.9 * len(points) or not points:
            continue
        if best is None or region.area < best.region.area:
            best = widget
    if best is None:
        raise ProbeError("no widget shows paper titles")
    return best


async def desk_settled(app: App) -> float:
    """When the desk had its store open (validated states shown): keys are timed from then
    on, as the steady state a user works in; the first frame measures the start-up."""
    deadline = time.monotonic() + TIMEOUT
    while not app.desk.settled:  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise ProbeError(f"the desk's store did not open within {TIMEOUT:.0f} s")
        await asyncio.sleep(0.005)
    return time.monotonic()


async def settle(pilot: Pilot) -> None:
    """Let debounced work and follow-up frames finish before the next timed action."""
    await pilot.pause()
    await asyncio.sleep(SETTLE)
    await pilot.pause()


async def timed(future: asyncio.Future[float], started: float, what: str) -> float:
    try:
        return await asyncio.wait_for(future, ACTION_TIMEOUT) - started
    except TimeoutError:
        raise ProbeError(f"{what}: nothing on screen within {ACTION_TIMEOUT:.0f} s") from None


async def status_changes(
    pilot: Pilot, frames: Frames, store: Path, count: int
) -> dict[str, list[float]]:
    """Press ``r`` ``count`` times: time to the next repaint and to the store file's replacement.

    ``r`` on a read paper makes it unread again, so every press is a change, whether or not the
    cursor moves on after a mark.
    """
    visible, durable = [], []
    changes_before = recorded_changes(store)
    for _ in range(count):
        before = frames.grid.lines()
        shown = frames.wait_for(lambda grid, before=before: grid.lines() != before)
        written: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        watch_file(store, written)
        started = time.monotonic()
        await pilot.press("r")
        visible.append(await timed(shown, started, "status change"))
        try:
            durable.append(await asyncio.wait_for(written, ACTION_TIMEOUT) - started)
        except TimeoutError:
            raise ProbeError(f"status change: {store} not written within 5 s") from None
        await settle(pilot)
    recorded = recorded_changes(store) - changes_before
    if recorded != count:
        raise ProbeError(f"{count} status changes timed, but the store recorded {recorded}")
    return {"status_visible": visible, "status_durable": durable}


def recorded_changes(store: Path) -> int:
    """Status changes in the store's history: each timed press must add exactly one."""
    from paperdesk.state.store import Store

    return sum(len(state.history) for state in Store.open(store).states().values())


def narrowed_to(paper_list: Widget, prefix: str) -> Predicate:
    """The list shows only papers whose marker starts with ``prefix`` (and at least one)."""

    def check(grid: Grid) -> bool:
        lines = grid.lines(paper_list.region)
        numbers = [match.group(1) for line in lines for match in MARKER.finditer(line)]
        return bool(numbers) and all(number.startswith(prefix) for number in numbers)

    return check


async def search_keystrokes(
    pilot: Pilot, frames: Frames, papers: int, count: int
) -> dict[str, object]:
    """Type ``p`` and a paper's marker digit by digit into ``/`` search, timing each digit.

    A digit counts from the key press to the first frame whose list shows only matching papers.
    Digits after which the list already showed only matches (nothing to wait for) are skipped.
    """
    paper_list = find_list(pilot.app, frames.grid)
    rng = random.Random(papers)
    digits = len(str(papers))
    low = 10 ** (digits - 1)
    times: list[float] = []
    skipped = 0
    await pilot.press("slash")
    await settle(pilot)
    while len(times) < count:
        target = str(rng.randint(low, papers))
        await pilot.press("p")
        await settle(pilot)
        for end in range(1, len(target) + 1):
            check = narrowed_to(paper_list, target[:end])
            if check(frames.grid):
                skipped += 1
                await pilot.press(target[end - 1])
                continue
            shown = frames.wait_for(check)
            started = time.monotonic()
            await pilot.press(target[end - 1])
            times.append(await timed(shown, started, f"search 'p{target[:end]}'"))
        await pilot.press(*["backspace"] * (len(target) + 1))
        await settle(pilot)
    return {"keystrokes": times, "keystrokes_skipped": skipped}


#: Field queries typed key by key (filled in from the generated list's vocabulary): statuses,
#: years, venues, tags and topics, negation, OR and parentheses.
QUERY_TEMPLATES = (
    "status:unread year:>={year} -venue:{conf} tag:{tag}",
    "year:{low}..{year} (topic:{topic} OR tag:{tag}) -status:read",
    "venue:{conf} OR venue:{other} has:note year:<{year}",
)
QUERY_CONFS = ("osdi", "sosp", "nsdi", "eurosys", "atc", "asplos", "mlsys", "sigcomm")
QUERY_TAGS = ("cache", "serving", "moe", "kernels", "storage", "attention")
QUERY_TOPICS = ("serving", "training", "storage", "memory", "security", "compilers")


def match_count(grid: Grid, region: Region, count: int) -> bool:
    noun = "match" if count == 1 else "matches"
    return any(f" {count} {noun}" in line for line in grid.lines(region))


async def query_keystrokes(pilot: Pilot, frames: Frames, count: int) -> dict[str, object]:
    """Type field queries into ``/`` search key by key, timing each key that changes the list.

    A key counts from the press to the first frame whose search bar shows the new number of
    matches (the bar and the list are repainted in one frame). Keys after which the query has
    a mistake (``year:`` before its value) or the number stays the same are typed untimed.
    """
    app = pilot.app
    desk = app.desk  # type: ignore[attr-defined]
    bar = app.screen.query_one("#search")
    rng = random.Random(count)
    times: list[float] = []
    skipped = 0
    await pilot.press("slash")
    await settle(pilot)
    shown: int | None = None
    while len(times) < count:
        year = rng.randint(2003, 2024)
        conf, other = rng.sample(QUERY_CONFS, 2)
        query = rng.choice(QUERY_TEMPLATES).format(
            year=year,
            low=year - rng.randint(2, 8),
            conf=conf,
            other=other,
            tag=rng.choice(QUERY_TAGS),
            topic=rng.choice(QUERY_TOPICS),
        )
        for end in range(1, len(query) + 1):
            key = query[end - 1]
            try:
                expected = len(desk.model.view(desk.selection, query[:end]))
            except Exception:  # a mistake (QueryError): the list stays as it was
                expected = None
            if expected is None or expected == shown or len(times) >= count:
                skipped += expected is not None
                await pilot.press(key)
                continue
            future = frames.wait_for(lambda grid, n=expected: match_count(grid, bar.region, n))
            started = time.monotonic()
            await pilot.press(key)
            times.append(await timed(future, started, f"query {query[:end]!r}"))
            shown = expected
        await pilot.press("ctrl+u")
        await settle(pilot)
        shown = None
    return {"query_keystrokes": times, "query_keystrokes_skipped": skipped}


TRIAGE_MARKER = re.compile(r"\bT(\d+): ")


def card_paper(grid: Grid, region: Region) -> str | None:
    """The marker of the paper the triage card shows."""
    for line in grid.lines(region):
        found = TRIAGE_MARKER.search(line)
        if found:
            return found.group(1)
    return None


async def triage_keystrokes(pilot: Pilot, frames: Frames, venue: str, count: int) -> dict:
    """Open triage of ``venue`` and press pick and skip in turn, timing each key from the press
    to the first frame whose card shows the next paper."""
    app = pilot.app
    app.desk.open_triage(venue)  # type: ignore[attr-defined]
    deadline = time.monotonic() + TIMEOUT
    while app.screen.id != "triage":
        if time.monotonic() > deadline:
            raise ProbeError(f"triage of {venue} did not open")
        await asyncio.sleep(0.01)
    await settle(pilot)
    card = app.screen.query_one("#triage-card")
    times: list[float] = []
    for index in range(count):
        before = card_paper(frames.grid, card.region)
        if before is None:
            raise ProbeError("the triage card shows no paper")
        shown = frames.wait_for(
            lambda grid, before=before: card_paper(grid, card.region) not in (None, before)
        )
        started = time.monotonic()
        await pilot.press("p" if index % 2 else "x")
        times.append(await timed(shown, started, "triage key"))
        await settle(pilot)
    return {"triage_keystrokes": times}


async def run(args: argparse.Namespace) -> dict[str, object]:
    width, height = args.size
    frames = Frames(Grid(width, height))
    hook_display(frames)
    if args.app == "bare":
        app: App = Bare()
    else:
        from paperdesk.tui.app import make_app

        app = make_app(home=args.home, catalog=None)
    marker = re.compile(args.marker)
    result: dict[str, object] = {}
    first = frames.wait_for(lambda grid: bool(marker.search("\n".join(grid.lines()))))
    async with app.run_test(headless=True, size=(width, height)) as pilot:
        try:
            result["first_frame"] = await asyncio.wait_for(first, TIMEOUT)
        except TimeoutError:
            screen = " | ".join(line.strip() for line in frames.grid.lines() if line.strip())
            raise ProbeError(
                f"no frame matched {args.marker!r} in {TIMEOUT:.0f} s: {screen[:300]}"
            ) from None
        if args.app == "desk":
            result["settled"] = await desk_settled(app)
        if args.status or args.search or args.query or args.triage:
            await settle(pilot)
        if args.status:
            result.update(await status_changes(pilot, frames, args.store, args.status))
        if args.search:
            result.update(await search_keystrokes(pilot, frames, args.papers, args.search))
            await pilot.press("escape")
            await settle(pilot)
        if args.query:
            result.update(await query_keystrokes(pilot, frames, args.query))
        if args.triage:
            result.update(await triage_keystrokes(pilot, frames, args.venue, args.triage))
        app.exit()
    result["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result


def size(text: str) -> tuple[int, int]:
    width, height = text.split("x")
    return int(width), int(height)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", choices=("bare", "desk"))
    parser.add_argument("--marker", required=True, help="regex that shows the first frame is in")
    parser.add_argument("--home", help="the desk's home")
    parser.add_argument("--size", type=size, default=(160, 45))
    parser.add_argument("--store", type=Path, help="store file to watch for status writes")
    parser.add_argument("--status", type=int, default=0, help="status changes to time")
    parser.add_argument("--papers", type=int, default=0, help="papers in the list (for search)")
    parser.add_argument("--search", type=int, default=0, help="search keystrokes to time")
    parser.add_argument("--query", type=int, default=0, help="field-query keystrokes to time")
    parser.add_argument("--triage", type=int, default=0, help="triage keys to time")
    parser.add_argument("--venue", help="the venue to triage")
    args = parser.parse_args()
    try:
        result = asyncio.run(run(args))
    except ProbeError as exc:
        print(json.dumps({"error": str(exc)}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
