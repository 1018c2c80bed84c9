"""Pilot tests of every key on fixed sample data, with no engine running."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from textual.command import CommandPalette

from core.clock import SystemClock
from core.ledger import Ledger
from core.ledger.models import CommandKind, DeliveryFilter, DeliveryState, EngineInstance, NewEndpoint, NewEvent
from core.webhooks.signing import generate_secret
from core.tokens import hash_token
from tests.tui.conftest import frozen_app, settle, settle_details
from tui.app import create_app
from tui.screens.confirm import ConfirmScreen
from tui.screens.delivery_details import DeliveryDetailsScreen
from tui.screens.filter import FilterScreen
from tui.screens.help import HelpScreen
from tui.screens.log_window import PAGE_SIZE, WINDOW_ROWS
from tui.screens.main import MainScreen
from tui.screens.run_details import RunDetailsScreen


def messages(app) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_tab_moves_between_panes(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.focused.id == "connections"
        await pilot.press("tab")
        assert app.focused.id == "sync-history"
        await pilot.press("tab")
        assert app.focused.id == "webhook-log"
        await pilot.press("shift+tab")
        assert app.focused.id == "sync-history"


async def test_slash_filters_and_escape_clears(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab", "slash")
        assert isinstance(app.screen, FilterScreen)
        app.screen.query_one("#filter-state").value = DeliveryState.FAILED
        await pilot.press("tab", "enter")
        await settle(pilot)
        screen = app.main_screen
        assert screen.delivery_filter == DeliveryFilter(state=DeliveryState.FAILED)
        assert sorted(int(key) for key in screen.log_table.loaded_keys) == [4, 9]

        await pilot.press("escape")
        await settle(pilot)
        assert screen.delivery_filter == DeliveryFilter()
        assert screen.log_table.row_count == 18


async def test_filter_rejects_bad_event_type(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        field = app.screen.query_one("#filter-type")
        field.value = "record updated"
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        assert "invalid event type pattern 'record updated'" in str(app.screen.query_one("#filter-error").render()).lower()


async def test_enter_opens_details_and_escape_closes(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab", "enter")
        await settle_details(pilot)
        assert isinstance(app.screen, DeliveryDetailsScreen)
        assert app.screen.details.delivery.id == 18
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("shift+tab", "enter")
        await settle_details(pilot)
        assert isinstance(app.screen, RunDetailsScreen)


async def test_r_refuses_in_flight_delivery(sample_ledger):
    path, ids = sample_ledger
    app = frozen_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab", *["down"] * 5)
        assert app.main_screen.log_table.selected_key == str(ids.in_flight_delivery)
        await pilot.press("r")
        await pilot.pause()
    assert f"Not retried: delivery #{ids.in_flight_delivery} is in flight; wait for its attempt to finish." in messages(app)
    with Ledger.open(path) as ledger:
        assert ledger.claim_commands("test", SystemClock().now()) == []


async def test_R_counts_failed_in_filter_and_cancels(sample_ledger):
    path, _ = sample_ledger
    app = frozen_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab", "R")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "Retry 2 failed deliveries, every endpoint?"
        await pilot.press("n")
        assert isinstance(app.screen, MainScreen)
    with Ledger.open(path) as ledger:
        assert ledger.claim_commands("test", SystemClock().now()) == []


async def test_p_pauses_and_resumes(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        assert app.main_screen.paused
        assert "paused" in str(app.main_screen.query_one("#status-line").render())
        await pilot.press("p")
        assert not app.main_screen.paused


async def test_question_mark_lists_every_binding(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {binding.key for _, bindings in app.screen.groups for binding in bindings}
        assert {"r", "R", "space", "s", "slash", "escape", "p", "question_mark", "q", "n", "enter"} <= listed
        assert all(binding.description for _, bindings in app.screen.groups for binding in bindings)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_ctrl_p_palette_runs_an_action(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"only failed")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert app.main_screen.delivery_filter.state is DeliveryState.FAILED


async def test_n_opens_onboarding_wizard(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "OnboardingScreen"
        await pilot.press("escape")
        await pilot.pause()


async def test_q_quits(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_attaches_to_running_engine(sample_ledger):
    path, ids = sample_ledger
    now = SystemClock().now()
    serve = EngineInstance(owner_id="serve-test", pid=4242, hostname="build-host", kind="serve",
                           started_at=now - timedelta(minutes=5), heartbeat_at=now)
    with Ledger.open(path) as ledger:
        ledger.register_engine(serve)
    app = create_app(path, poll_interval=0.2)

    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.engine_host is None
        assert app.sub_title == "attached to serve pid 4242 on build-host"
        await pilot.press("s")
        await pilot.pause(0.3)

    with Ledger.open(path) as ledger:
        queued = ledger.claim_commands("test", SystemClock().now())
    assert [(command.kind, command.args) for command in queued] == [(CommandKind.SYNC, {"connection_id": ids.plant})]
    assert os.getpid() != 4242 or socket.gethostname() != "build-host"


async def test_t_rotates_token_shown_once(sample_ledger):
    path, ids = sample_ledger
    app = frozen_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle_details(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        for _ in range(50):
            await pilot.pause(0.05)
            if app.screen.__class__.__name__ == "TokenScreen":
                break
        token = app.screen.query_one("#token-value").value
        await pilot.press("escape")
        await pilot.pause()

    assert token.startswith("orl_")
    with Ledger.open(path) as ledger:
        found = ledger.find_token(hash_token(token))
    assert found is not None
    assert found[1].id == ids.plant


async def test_theme_change_recolours_badges(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        before = app.main_screen._palette.styles["success"]
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        after = app.main_screen._palette.styles["success"]
        assert before != after
        badge = app.main_screen.connections_table.get_cell("1", "status")
        assert any(span.style == after for span in badge.spans)
        result = app.main_screen.log_table.get_cell("16", "last")
        assert [span.style for span in result.spans] == [after]


async def test_header_notices_engine_gone(sample_ledger):
    path, _ = sample_ledger
    now = SystemClock().now()
    # Its last heartbeat is 11 s old: still running at start, stale (past
    # 15 s) a few seconds later, with room for a slow start on a busy machine.
    serve = EngineInstance(owner_id="serve-old", pid=4343, hostname="build-host", kind="serve",
                           started_at=now - timedelta(minutes=5), heartbeat_at=now - timedelta(seconds=11))
    with Ledger.open(path) as ledger:
        ledger.register_engine(serve)
    app = create_app(path, poll_interval=0.2)

    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        attached = app.sub_title
        for _ in range(100):
            await pilot.pause(0.1)
            if app.sub_title != attached:
                break
        gone = app.sub_title

    assert attached == "attached to serve pid 4343 on build-host"
    assert gone == "engine: none running; commands wait until one starts"


async def test_removed_connection_moves_selection(sample_ledger):
    path, ids = sample_ledger
    app = create_app(path, clock=frozen_app(path).clock, run_engine=False, poll_interval=0.2)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.main_screen.connection_id == ids.plant
        with Ledger.open(path) as ledger:
            ledger.remove_connection(ids.plant)
        for _ in range(40):
            await pilot.pause(0.05)
            if app.main_screen.connection_id != ids.plant:
                break
        await settle(pilot)
        selected = app.main_screen.connection_id
        assert selected in (ids.warehouse, ids.finance)
        assert app.main_screen.connections_table.selected_key == str(selected)
        with Ledger.open(path) as ledger:
            runs = {str(run.id) for run in ledger.list_runs(selected).items}
        assert set(app.main_screen.history_table.loaded_keys) == runs


async def test_palette_quit_exits(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.run_palette_command("quit")
        await pilot.pause()
        await pilot.pause()
    assert app.return_code == 0


async def test_deep_rows_refresh_on_screen(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    now = SystemClock().now()
    with Ledger.open(path) as ledger:
        ledger.add_endpoint(NewEndpoint(url="http://127.0.0.1:9/hooks", secret=generate_secret()), now)
        ledger.append_events([NewEvent("record.updated", None, {"n": n}) for n in range(700)], now)
    app = create_app(path, clock=SystemClock(), run_engine=False, poll_interval=0.2)

    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main_screen.log_table
        await pilot.press("tab", "tab")
        while app.main_screen._deliveries_next is not None:
            await pilot.press("end")
            await pilot.pause(0.1)
        await pilot.press("end")
        await pilot.pause(0.2)
        assert table.row_count <= WINDOW_ROWS + PAGE_SIZE
        assert table.selected_key == "1"

        with Ledger.open(path) as ledger:
            claim = ledger.claim_due("test", now, limit=1, lease_seconds=60)[0]
        assert claim.delivery_id == 1
        for _ in range(40):
            await pilot.pause(0.1)
            if app.main_screen._deliveries[1].state is DeliveryState.IN_FLIGHT:
                break
        assert app.main_screen._deliveries[1].state is DeliveryState.IN_FLIGHT
        assert "in flight" in table.get_cell("1", "state").plain


async def test_log_window_pages_back_up(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    now = SystemClock().now()
    with Ledger.open(path) as ledger:
        ledger.add_endpoint(NewEndpoint(url="http://127.0.0.1:9/hooks", secret=generate_secret()), now)
        ledger.append_events([NewEvent("record.updated", None, {"n": n}) for n in range(700)], now)
    app = create_app(path, clock=SystemClock(), run_engine=False, poll_interval=0.2)

    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.main_screen
        table = screen.log_table
        await pilot.press("tab", "tab", "down", "space")
        max_rows = 0
        while screen._deliveries_next is not None:
            await pilot.press("end")
            await pilot.pause(0.1)
            max_rows = max(max_rows, table.row_count)
        await pilot.press("end")
        await pilot.pause(0.2)
        deep_key = table.selected_key
        dropped_while_deep = "700" not in table.loaded_keys
        deliveries_while_deep = len(screen._deliveries)

        await pilot.press("up", "space")
        while screen.log_top_dropped:
            await pilot.press("home")
            await pilot.pause(0.1)
            max_rows = max(max_rows, table.row_count)
        await pilot.press("home")
        await pilot.pause(0.2)

    assert deep_key == "1"
    assert dropped_while_deep
    assert deliveries_while_deep <= WINDOW_ROWS + PAGE_SIZE
    assert max_rows <= WINDOW_ROWS + PAGE_SIZE
    assert table.selected_key == "700"
    assert table.tagged == {699, 2}
    assert "▶" in table.get_cell("699", "id").plain
    assert sorted(int(key) for key in table.loaded_keys) == list(range(700 - len(table.loaded_keys) + 1, 701))


async def test_filter_enter_on_dropdown_applies(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        state = app.screen.query_one("#filter-state")
        state.focus()
        await pilot.press("space")
        await pilot.pause()
        opened_with_space = state.expanded
        await pilot.press("escape")
        await pilot.pause()
        state.value = DeliveryState.FAILED
        await pilot.press("enter")
        await settle(pilot)
        closed = app.screen is app.main_screen

    assert opened_with_space
    assert closed
    assert app.main_screen.delivery_filter == DeliveryFilter(state=DeliveryState.FAILED)


async def test_filter_enter_in_open_dropdown_picks(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        endpoint = app.screen.query_one("#filter-endpoint")
        endpoint.focus()
        await pilot.press("down")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        still_in_dialog = isinstance(app.screen, FilterScreen)
        picked = endpoint.value
        await pilot.press("enter")
        await settle(pilot)

    assert still_in_dialog
    assert picked is not None
    assert app.main_screen.delivery_filter.endpoint_id == picked
