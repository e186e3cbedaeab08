"""The one table printed at the end (Markdown, so it can go into docs/PERFORMANCE.md as is)."""

from __future__ import annotations

from benchmarks.measure import Figure


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit in ("req/s", "rows/s"):
        return f"{value:,.0f} {unit}"
    if unit == "%":
        return f"{value:.0f} %"
    return f"{value:,.1f} {unit}".strip()


def table(figures: list[Figure], context: dict[str, str]) -> str:
    lines = [f"- {key}: {value}" for key, value in context.items()]
    lines += [
        "",
        "| measurement | median | p95 | queries | target | met | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for figure in figures:
        met = {True: "yes", False: "**NO**", None: ""}[figure.met]
        lines.append(
            f"| {figure.name} | {_number(figure.median, figure.unit)} | "
            f"{_number(figure.p95, figure.unit)} | "
            f"{'' if figure.queries is None else figure.queries} | {figure.target} | {met} | "
            f"{figure.note} |"
        )
    return "\n".join(lines)
