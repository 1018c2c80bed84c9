"""Details of one sync run: per-stream counts and the error."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from core.ledger.models import SyncRun
from tui import format as fmt
from tui.data import LedgerData
from tui.screens.details import DetailsScreen, facts, section


class RunDetailsScreen(DetailsScreen):
    """A sync run's summary and its results per stream."""

    def __init__(self, data: LedgerData, run_id: int) -> None:
        super().__init__(data)
        self.run_id = run_id
        self.title = f"Sync run #{run_id}"

    def read(self, data: LedgerData) -> tuple[SyncRun, str]:
        run = data.load_run(self.run_id)
        return run, data.connection_label(run.connection_id)

    def build(self, details: tuple[SyncRun, str]) -> list[Widget]:
        run, self.connection_label = details
        widgets: list[Widget] = [
            section("Summary", self._summary(run)),
            section("Streams", self._streams(run)),
        ]
        if run.error_class or run.error_message:
            error = Text(f"{run.error_class or 'Error'}: {run.error_message or ''}", style=self.palette.styles["error"])
            widgets.append(section("Error", error, id="run-error"))
        return widgets

    def _summary(self, run: SyncRun) -> Table:
        now = self.app.clock.now()
        return facts([
            ("Status", self.palette.badge(run.status.value, fmt.RUN_TONE.get(run.status, "muted"))),
            ("Connection", self.connection_label),
            ("Trigger", run.trigger.value),
            ("Started", fmt.full_time(run.started_at)),
            ("Finished", fmt.full_time(run.finished_at)),
            ("Took", fmt.duration(run.started_at, run.finished_at, now)),
            ("Totals", f"{run.created} created, {run.updated} updated, {run.deleted} deleted, "
                       f"{run.unchanged} unchanged, {run.pages} pages"),
        ])

    def _streams(self, run: SyncRun) -> Table | str:
        if not run.stream_results:
            return "No stream has reported yet." if run.finished_at is None else "This run synced no stream."
        table = Table(expand=True, box=None, header_style="bold", pad_edge=False)
        for heading in ("Stream", "Created", "Updated", "Deleted", "Unchanged", "Pages", "Error"):
            table.add_column(heading, justify="right" if heading not in ("Stream", "Error") else "left")
        for result in run.stream_results:
            error = ": ".join(part for part in (result.error_class, result.error_message) if part)
            table.add_row(
                result.stream,
                fmt.count(result.created),
                fmt.count(result.updated),
                fmt.count(result.deleted),
                fmt.count(result.unchanged),
                fmt.count(result.pages),
                self.palette.text(error, "error") if error else fmt.DASH,
            )
        return table
