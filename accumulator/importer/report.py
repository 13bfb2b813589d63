"""What an import run did: counts per kind and every row it did not bring in, with the reason."""

from __future__ import annotations

from dataclasses import dataclass, field

# Every kind of thing imported, in the order of the run and of the table. Each is also the ledger's `kind`.
KINDS: dict[str, str] = {
    "owner": "users (the admin)",
    "stat": "stats",
    "daily_stat": "daily_stats",
    "user_agent_stat": "daily_user_agent_stats",
    "workspace": "workspaces",
    "note": "notes",
    "paste": "pastes",
    "paste_file": "files of pastes",
    "plant": "plants",
    "plant_photo": "plant images",
    "spotify": "spotify",
    "comment": "comments",
    "contact_message": "contact_messages",
}
ALREADY_IMPORTED = "already imported"


@dataclass
class Counts:
    read: int = 0
    imported: int = 0
    skipped: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Line:
    kind: str
    source_id: str
    reason: str


@dataclass
class Report:
    dry_run: bool = False
    counts: dict[str, Counts] = field(default_factory=lambda: {kind: Counts() for kind in KINDS})
    skips: list[Line] = field(default_factory=list)  # skipped for a reason other than "already imported"
    failures: list[Line] = field(default_factory=list)
    remarks: list[Line] = field(default_factory=list)  # imported, but with something the owner should know
    not_imported: dict[str, int] = field(default_factory=dict)  # tables with no feature here → rows
    missing_tables: list[str] = field(default_factory=list)

    def read(self, kind: str, count: int = 1) -> None:
        self.counts[kind].read += count

    def imported(self, kind: str, count: int = 1) -> None:
        self.counts[kind].imported += count

    def already(self, kind: str, count: int = 1) -> None:
        self.counts[kind].skipped += count

    def skip(self, kind: str, source_id: object, reason: str) -> None:
        self.counts[kind].skipped += 1
        self.skips.append(Line(kind, str(source_id), reason))

    def fail(self, kind: str, source_id: object, reason: str) -> None:
        self.counts[kind].failed += 1
        self.failures.append(Line(kind, str(source_id), reason))

    def remark(self, kind: str, source_id: object, reason: str) -> None:
        self.remarks.append(Line(kind, str(source_id), reason))

    @property
    def total(self) -> Counts:
        total = Counts()
        for counts in self.counts.values():
            total.read += counts.read
            total.imported += counts.imported
            total.skipped += counts.skipped
            total.failed += counts.failed
        return total

    def already_imported(self, kind: str) -> int:
        return self.counts[kind].skipped - sum(1 for line in self.skips if line.kind == kind)

    def render(self) -> str:
        """The report as the CLI prints it: the table, then every row that needs a word."""
        imported = "would import" if self.dry_run else "imported"
        header = ("kind", "from table", "read", imported, "skipped", "failed")
        rows = [
            (kind, table, str(c.read), str(c.imported), str(c.skipped), str(c.failed))
            for (kind, table), c in zip(KINDS.items(), self.counts.values(), strict=True)
        ]
        total = self.total
        rows.append(("total", "", str(total.read), str(total.imported), str(total.skipped), str(total.failed)))
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            left = [cells[0].ljust(widths[0]), cells[1].ljust(widths[1])]
            right = [cell.rjust(width) for cell, width in zip(cells[2:], widths[2:], strict=True)]
            return "  ".join(left + right).rstrip()

        out = [line(header), *(line(row) for row in rows[:-1]), line(tuple("-" * w for w in widths)), line(rows[-1])]
        if self.dry_run:
            out.insert(0, "Dry run: nothing was written.\n")
        already = [f"{kind} {self.already_imported(kind)}" for kind in KINDS if self.already_imported(kind)]
        if already:
            out.append(f"\nSkipped because an earlier run imported them: {', '.join(already)}.")
        remarks = "Would be imported, to check" if self.dry_run else "Imported, to check"
        for title, lines in (("Skipped", self.skips), ("Failed", self.failures), (remarks, self.remarks)):
            if lines:
                out.append(f"\n{title}:")
                out.extend(f"  {item.kind} {item.source_id}: {item.reason}" for item in lines)
        if self.not_imported:
            tables = ", ".join(
                f"{table} ({rows} row{'s' if rows != 1 else ''})" for table, rows in self.not_imported.items()
            )
            out.append(f"\nNot imported (no such feature here): {tables}.")
        if self.missing_tables:
            out.append(f"\nNot in the original database (nothing to read): {', '.join(self.missing_tables)}.")
        return "\n".join(out)
