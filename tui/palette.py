"""Rich styles built from the active Textual theme's variables.

DataTable cells are Rich ``Text``, which cannot refer to CSS variables such
as ``$success``. The panes build a ``Palette`` from the theme's variables and
build it again when the theme changes, so badges follow every theme.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.color import Color, ColorParseError

# The theme variables each tone is taken from, first usable one wins.
TONE_VARIABLES = {
    "success": ("text-success", "success"),
    "warning": ("text-warning", "warning"),
    "error": ("text-error", "error"),
    "accent": ("text-accent", "accent"),
    "muted": ("foreground-muted", "text-muted", "foreground"),
}


@dataclass(frozen=True)
class Palette:
    """Foreground styles per tone, taken from ``$text-success`` and its siblings."""

    styles: dict[str, Style]

    @classmethod
    def from_variables(cls, variables: dict[str, str]) -> Palette:
        """Build the palette from ``App.theme_variables``."""
        background = _parse(variables.get("background"), Color(0, 0, 0))
        styles = {}
        for tone, names in TONE_VARIABLES.items():
            value = next((variables[name] for name in names if _is_colour(variables.get(name))), None)
            colour = _parse(value, None)
            if colour is not None:
                styles[tone] = Style(color=background.blend(colour, colour.a).rich_color) if colour.a < 1 else Style(color=colour.rich_color)
        return cls(styles)

    def text(self, value: str, tone: str | None, *, bold: bool = False) -> Text:
        """Return ``value`` in the colour of ``tone`` (plain when tone is None)."""
        style = self.styles.get(tone) if tone else None
        if style is not None and bold:
            style = style + Style(bold=True)
        elif style is None and bold:
            style = Style(bold=True)
        # The style goes on a span, not on the Text itself: Text equality
        # compares spans only, and LiveTable skips cells that compare equal,
        # so a base style would keep old colours after a theme change.
        cell = Text(no_wrap=True, overflow="ellipsis")
        cell.append(value, style=style or "")
        return cell

    def badge(self, label: str, tone: str) -> Text:
        """Return a status badge: a coloured dot and the label."""
        style = self.styles.get(tone)
        badge = Text(no_wrap=True, overflow="ellipsis")
        badge.append("● ", style=style or "")
        badge.append(label, style=(style + Style(bold=True)) if style else "")
        return badge

    def plain(self, value: str) -> Text:
        """Return ``value`` as an unstyled single-line cell."""
        return Text(value, no_wrap=True, overflow="ellipsis")

    def right(self, value: str, tone: str | None = None) -> Text:
        """Return ``value`` right-aligned, optionally coloured."""
        cell = self.text(value, tone)
        cell.justify = "right"
        return cell


def _is_colour(value: str | None) -> bool:
    # "auto 60%" means "contrast with the background", which only a widget
    # can resolve; such values are skipped for the next candidate.
    return bool(value) and not value.startswith("auto")


def _parse(value: str | None, default: Color | None) -> Color | None:
    if not value:
        return default
    try:
        return Color.parse(value.split()[0])
    except ColorParseError:
        return default
