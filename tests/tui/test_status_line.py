"""The status line's totals read as counted nouns."""

from __future__ import annotations

from core.ledger.models import DeliveryFilter, DeliveryState, Totals
from tui.palette import Palette
from tui.widgets.status_line import status_text


def line_for(totals: Totals) -> str:
    return status_text(paused=False, engine_label="engine: running here", totals=totals,
                       delivery_filter=DeliveryFilter(), palette=Palette({})).plain


def test_status_line_singular_counts():
    line = line_for(Totals(connections=1, deliveries_by_state={DeliveryState.PENDING: 1}, events=1, sync_runs=1))
    assert "1 connection · 1 run · 1 event" in line
    assert "1 pending" in line


def test_status_line_plural_counts():
    line = line_for(Totals(connections=2, deliveries_by_state={}, events=0, sync_runs=1_200))
    assert "2 connections · 1,200 runs · 0 events" in line
