// The dashboard's pages table body. The rows live here, in the browser, and are sorted and filtered
// here. When the server says `full`, the whole table is fetched from `source` (plain JSON, not through
// the state); after that the websocket brings only the rows that changed (a patch from version `base`
// to `version`). A patch that does not follow from what this table has asks for a resync.
// The first PAGE_SIZE rows are drawn, more on request: drawing hundreds of rows is what made the
// dashboard slow to open, and nobody reads past the top ones without filtering.
import { memo, useEffect, useReducer, useRef, useState } from "react";
import { Button, Table } from "@radix-ui/themes";

const PAGE_SIZE = 50;

const TEXT_COLUMNS = new Set(["site", "path"]);
const NUMERIC = { textAlign: "right", fontVariantNumeric: "tabular-nums" };

// Seconds as "45s" or "2m 05s"; below 0: none reported yet.
function duration(seconds) {
  if (seconds < 0) return "–";
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`;
}

function order(column, descending) {
  const text = TEXT_COLUMNS.has(column);
  const value = (row) => (text ? String(row[column]).toLowerCase() : row[column]);
  const direction = descending ? -1 : 1;
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    if (x !== y) return (x < y ? -1 : 1) * direction;
    return (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) * direction;
  };
}

// One row. Drawn again only when its own numbers (a new row object from a patch) or its marks
// change: under traffic a patch moves a few rows, and drawing fifty for each was most of a push's
// cost in the browser. The handlers only send events, so a new handler alone is no reason to draw.
// Plain elements with Radix Themes' classes (what its Table.Cell, Badge, Text and Button render):
// under load every drawn row changes with each push, and Radix's per-component prop handling was
// the largest part of redrawing fifty rows.
const CELL = "rt-TableCell";
const NUMBER = { className: CELL, style: NUMERIC };

const PageRow = memo(
  function PageRow({ row, selected, narrowed, matching, extra, onSelect, onFilter }) {
    return (
      <tr
        className="rt-TableRow page-row"
        data-path={row.path}
        data-selected={selected ? "true" : undefined}
        onClick={() => onSelect?.(row.key)}
        style={{ cursor: "pointer" }}
      >
        <td className={CELL}>
          <span data-accent-color="gray" className="rt-reset rt-Badge rt-r-size-1 rt-variant-surface">{row.site}</span>
        </td>
        <td className={CELL} style={{ maxWidth: "360px", overflow: "hidden", textOverflow: "ellipsis" }}>
          <span className="rt-Text rt-r-lt-both">{row.path}</span>{" "}
          <button
            type="button"
            data-accent-color=""
            className="rt-reset rt-BaseButton rt-r-size-1 rt-variant-ghost rt-Button filter-page"
            title="Filter the dashboard by this page"
            onClick={(event) => {
              event.stopPropagation();
              onFilter?.(row.key);
            }}
          >
            filter
          </button>
        </td>
        <td {...NUMBER} className={`${CELL} cell-views`}>{row.views}</td>
        {narrowed ? <td {...NUMBER} className={`${CELL} cell-matching`}>{matching}</td> : null}
        <td {...NUMBER}>{row.likes}</td>
        <td {...NUMBER} className={`${CELL} cell-viewing`}>
          {row.viewing > 0 ? (
            <span data-accent-color="grass" className="rt-reset rt-Badge rt-r-size-1 rt-variant-soft">{row.viewing}</span>
          ) : (
            <span className="rt-Text">0</span>
          )}
        </td>
        <td {...NUMBER}>{row.views_today}</td>
        <td {...NUMBER} className={`${CELL} cell-time`}>{duration(row.time_avg ?? -1)}</td>
        <td {...NUMBER} className={`${CELL} cell-median`}>{duration(row.time_median ?? -1)}</td>
        <td {...NUMBER} className={`${CELL} cell-scroll`}>{row.scroll75 ?? 0}%</td>
        {extra.map((column) => (
          <td key={column} {...NUMBER} className={`${CELL} cell-${column}`}>{row[column] ?? 0}</td>
        ))}
      </tr>
    );
  },
  (before, after) =>
    before.row === after.row &&
    before.selected === after.selected &&
    before.narrowed === after.narrowed &&
    before.matching === after.matching &&
    before.extra.join() === after.extra.join()
);

// With filters on (`narrowed`), only the pages in `narrow` are shown, each with its views matching
// the filters over the range (a "Matching" column); the other numbers stay the page's own.
export function LivePages({
  feed, sortColumn, descending, query, selected, onSelect, onResync, source, columns, narrow, narrowed, onFilter,
}) {
  const extra = columns || []; // other features' numbers per page (comments…), after the table's own
  const rows = useRef(new Map());
  const version = useRef(-1);
  const fetching = useRef(false);
  const waiting = useRef(-1); // the newest version announced while the table was being fetched
  const [, redraw] = useReducer((n) => n + 1, 0);
  const [limit, setLimit] = useState(PAGE_SIZE);

  // The whole table, from `source`. A patch announced while it comes may be newer than it: the
  // newest such version is kept in `waiting`, and what the table lacks is asked for once it is here.
  const load = (early) => {
    fetching.current = true;
    fetch(source, { credentials: "same-origin", cache: "no-store" })
      .then((answer) => (answer.ok ? answer.json() : Promise.reject(answer.status)))
      .then((table) => {
        if (table.version < version.current) return;
        rows.current = new Map(table.rows.map((row) => [row.key, row]));
        version.current = table.version;
        redraw();
        if (waiting.current > table.version) onResync?.(table.version);
      })
      // An early fetch that fails is forgotten: the state's `full` asks again. A later one tries
      // again through the server.
      .catch(() => early || setTimeout(() => onResync?.(-1), 1000))
      .finally(() => {
        fetching.current = false;
        waiting.current = -1;
      });
  };

  // Asked for as soon as the table is drawn, before the websocket has brought any state: an opening
  // dashboard needs it whole anyway, and its fetch then overlaps the page's hydrate.
  useEffect(() => {
    if (!feed || feed.version < 0) load(true);
  }, []);

  useEffect(() => {
    if (!feed || feed.version < 0) return;
    // While the table is being fetched, what comes waits: the table has it, or a resync brings it.
    if (fetching.current) {
      waiting.current = Math.max(waiting.current, feed.version);
      return;
    }
    if (feed.full) {
      if (feed.version > version.current) load(false); // not when the early table is already as new
      return;
    }
    if (feed.version <= version.current) return;
    if (feed.base === version.current) {
      for (const row of feed.rows) rows.current.set(row.key, row);
      version.current = feed.version;
      if (feed.rows.length) redraw();
    } else if (feed.version !== version.current) {
      onResync?.(version.current); // a patch was missed (or this table is new): ask for what it lacks
    }
  }, [feed]);

  const needle = (query || "").trim().toLowerCase();
  const shown = [...rows.current.values()]
    .filter((row) => !narrowed || Object.prototype.hasOwnProperty.call(narrow || {}, row.key))
    .filter((row) => !needle || `${row.site} ${row.path}`.toLowerCase().includes(needle))
    .sort(order(sortColumn || "views", descending));

  const drawn = shown.slice(0, limit).map((row) => (
    <PageRow
      key={row.key}
      row={row}
      selected={selected === row.key}
      narrowed={narrowed}
      matching={narrowed ? (narrow || {})[row.key] ?? 0 : 0}
      extra={extra}
      onSelect={onSelect}
      onFilter={onFilter}
    />
  ));
  if (shown.length <= limit) return drawn;
  const more = Math.min(PAGE_SIZE, shown.length - limit);
  drawn.push(
    <Table.Row key="(more)" className="pages-more">
      <Table.Cell colSpan={9 + extra.length} style={{ textAlign: "center" }}>
        <Button variant="soft" size="1" onClick={() => setLimit(limit + PAGE_SIZE)}>
          Show {more} more of {shown.length - limit}
        </Button>
        {" "}
        <Button variant="ghost" size="1" onClick={() => setLimit(shown.length)}>
          Show all {shown.length}
        </Button>
      </Table.Cell>
    </Table.Row>
  );
  return drawn;
}
