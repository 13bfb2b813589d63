// The dashboard's breakdowns (browsers, referrers, goals…). The lists live here, in the browser: the
// websocket brings a patch (`feed`: each list that changed, from version `base` to `version`, as its
// rows in order, each the place of an equal row in the list kept here or the row itself), applied
// once for every card of the page. A row without a `key` filters by its value.
// A patch that does not follow from what the page has asks for the lists whole (`onResync`).
import { memo, useEffect } from "react";
import { Box, Flex, Link, Text } from "@radix-ui/themes";

const store = { version: -1, lists: {}, applied: null, stale: false, asked: null };

// Each value's share of its list, one decimal, unless the server sent its own (goals: a conversion rate).
function withShares(rows) {
  const total = rows.reduce((sum, row) => sum + row.views, 0) || 1;
  return rows.map((row) => ("share" in row ? row : { ...row, share: Math.round((1000 * row.views) / total) / 10 }));
}

function apply(feed) {
  if (!feed || feed === store.applied || feed.version < 0) return;
  store.applied = feed;
  if (!feed.full && feed.version <= store.version) return; // an old patch, seen again
  if (!feed.full && feed.base !== store.version) {
    store.stale = true; // a patch was missed: the lists come whole on request
    return;
  }
  const lists = feed.full ? {} : { ...store.lists };
  for (const [kind, patch] of Object.entries(feed.lists)) {
    const before = lists[kind] || [];
    const rows = patch.map((item) => (typeof item === "number" ? before[item] : item));
    if (rows.includes(undefined)) {
      store.stale = true; // not the lists this patch was made for
      return;
    }
    lists[kind] = rows;
  }
  store.lists = lists;
  store.version = feed.version;
  store.stale = false;
}

function ShareRow({ row, unit, dimension, onFilter }) {
  const text = (
    <Text size="2" style={{ flex: 1, minWidth: 0, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}
      title={row.value}>
      {row.value}
    </Text>
  );
  const label = dimension ? (
    <Link className="filter-value" title={`Filter by ${row.value}`} style={{ cursor: "pointer", flex: 1, minWidth: 0 }}
      onClick={() => onFilter?.(dimension, row.key ?? row.value)}>
      {text}
    </Link>
  ) : text;
  return (
    <Box width="100%" className="share-row">
      <Flex align="center" gap="3" width="100%">
        {label}
        <Text size="2" weight="medium" className="share-views">{row.views}</Text>
        <Text size="1" color="gray" style={{ minWidth: "44px", textAlign: "right" }}>{row.share}{unit}</Text>
      </Flex>
      <Box style={{ width: `${row.share}%`, height: "4px", borderRadius: "2px", background: "var(--accent-8)",
        marginTop: "2px" }} />
    </Box>
  );
}

// One card's list: the rows of `kind`, each clickable to filter by `dimension` when there is one.
// Drawn again only when a patch came (every push of the dashboard re-renders its state's components;
// the handlers only send events, so a new handler alone is no reason to draw).
export const LiveShares = memo(
  function LiveShares({ feed, kind, unit, dimension, onFilter, onResync }) {
    apply(feed);
    useEffect(() => {
      if (store.stale && store.asked !== feed) {
        store.asked = feed; // one request per missed patch, whichever card saw it first
        onResync?.();
      }
    }, [feed]);
    const rows = withShares(store.lists[kind] || []);
    if (!rows.length) return <Text size="2" color="gray">Nothing in this range.</Text>;
    return (
      <Flex direction="column" gap="2" width="100%">
        {rows.map((row) => (
          <ShareRow key={row.key ?? row.value} row={row} unit={unit} dimension={dimension} onFilter={onFilter} />
        ))}
      </Flex>
    );
  },
  (before, after) =>
    before.feed === after.feed && before.kind === after.kind && before.unit === after.unit &&
    before.dimension === after.dimension
);
