// The dashboard's charts, drawn as plain SVG: a few lines and bars do not need a chart library.
// Recharts took some 160 ms of an opening dashboard's main thread (three charts, each with its own
// store) and more on every redraw under traffic; these draw in a few milliseconds, and again only
// when their points change.
//
// `series` are drawn in order: {key, name, color, kind: "area" | "line" | "bar", dashed, right}.
// A series with `right` is read on the right-hand axis (with `rightUnit`). Hovering shows the
// point's values; each point also has a <title>, for screen readers and touch.
import { memo, useLayoutEffect, useRef, useState } from "react";

const MARGIN = { top: 8, bottom: 22, side: 40 };
const LABEL = { fontSize: 11, fill: "var(--gray-11)" };

// Round steps (1, 2 or 5 × 10ⁿ, whole numbers) so that about `count` of them cover `top`.
export function niceTicks(top, count = 4) {
  if (!(top > 0)) return [0, 1];
  const rough = top / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough));
  const ticks = [];
  for (let value = 0; value < top + step; value += step) ticks.push(value);
  return ticks;
}

function useWidth() {
  const box = useRef(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    setWidth(element.clientWidth);
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [box, width];
}

function path(points) {
  let d = "";
  let pen = false;
  for (const [x, y] of points) {
    if (y === null) {
      pen = false; // a gap: a day with nothing reported is not drawn as zero
      continue;
    }
    d += `${pen ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

function Chart({ data, xKey, series, height, rightUnit }) {
  const [box, width] = useWidth();
  const [hover, setHover] = useState(-1);
  const points = data || [];
  const left = series.filter((s) => !s.right);
  const right = series.filter((s) => s.right);
  const top = (list) => Math.max(0, ...points.flatMap((p) => list.map((s) => p[s.key] ?? 0)));
  const leftTicks = niceTicks(top(left));
  const rightTicks = right.length ? niceTicks(top(right)) : null;
  const plotTop = MARGIN.top;
  const plotBottom = height - MARGIN.bottom;
  const plotLeft = MARGIN.side;
  const plotRight = Math.max(plotLeft + 1, width - (rightTicks ? MARGIN.side : 8));
  const bars = series.some((s) => s.kind === "bar");
  const slot = (plotRight - plotLeft) / Math.max(1, points.length);
  const x = (i) => (bars ? plotLeft + slot * (i + 0.5) : plotLeft + (points.length > 1 ? (i * (plotRight - plotLeft)) / (points.length - 1) : 0));
  const scale = (ticks) => (value) => plotBottom - (value / ticks[ticks.length - 1]) * (plotBottom - plotTop);
  const y = scale(leftTicks);
  const yRight = rightTicks ? scale(rightTicks) : y;
  const every = Math.max(1, Math.ceil(points.length / Math.max(1, Math.floor((plotRight - plotLeft) / 56))));

  const shapes = [];
  for (const s of series) {
    const at = s.right ? yRight : y;
    if (s.kind === "bar") {
      const barWidth = Math.max(1, slot * 0.7);
      points.forEach((p, i) => {
        const value = p[s.key] ?? 0;
        shapes.push(
          <rect key={`${s.key}-${i}`} className="chart-bar" x={x(i) - barWidth / 2} y={at(value)}
            width={barWidth} height={plotBottom - at(value)} fill={s.color}>
            <title>{`${p[xKey]}: ${value} ${s.name.toLowerCase()}`}</title>
          </rect>
        );
      });
      continue;
    }
    const line = path(points.map((p, i) => [x(i), p[s.key] === null || p[s.key] === undefined ? null : at(p[s.key])]));
    if (s.kind === "area" && points.length) {
      const area = `${line}L${x(points.length - 1).toFixed(1)},${plotBottom}L${x(0).toFixed(1)},${plotBottom}Z`;
      shapes.push(<path key={`${s.key}-fill`} d={area} fill={s.fill || s.color} fillOpacity={0.6} stroke="none" />);
    }
    shapes.push(
      <path key={s.key} className={`chart-line chart-${s.key}`} d={line} fill="none" stroke={s.color}
        strokeWidth={1.5} strokeDasharray={s.dashed ? "5 5" : undefined} />
    );
  }

  const pick = (event) => {
    if (!points.length) return;
    const bounds = event.currentTarget.getBoundingClientRect();
    const at = event.clientX - bounds.left;
    const i = bars ? Math.floor((at - plotLeft) / slot) : Math.round(((at - plotLeft) / (plotRight - plotLeft)) * (points.length - 1));
    setHover(Math.min(points.length - 1, Math.max(0, i)));
  };
  const shown = hover >= 0 && hover < points.length ? points[hover] : null;

  return (
    <div ref={box} className="live-chart" style={{ position: "relative", width: "100%", height }}>
      {width > 0 ? (
        <svg width={width} height={height} onMouseMove={pick} onMouseLeave={() => setHover(-1)} role="img"
          aria-label={series.map((s) => s.name).join(", ")}>
          {leftTicks.map((tick) => (
            <g key={`l${tick}`}>
              <line x1={plotLeft} x2={plotRight} y1={y(tick)} y2={y(tick)} stroke="var(--gray-a5)" strokeDasharray="3 3" />
              <text x={plotLeft - 6} y={y(tick)} dy="0.32em" textAnchor="end" style={LABEL}>{tick}</text>
            </g>
          ))}
          {(rightTicks || []).map((tick) => (
            <text key={`r${tick}`} x={plotRight + 6} y={yRight(tick)} dy="0.32em" style={LABEL}>{`${tick}${rightUnit || ""}`}</text>
          ))}
          {points.map((p, i) => (i % every === 0 ? (
            <text key={`x${i}`} x={x(i)} y={height - 6} textAnchor="middle" style={LABEL}>{p[xKey]}</text>
          ) : null))}
          {shapes}
          {shown && !bars ? <line x1={x(hover)} x2={x(hover)} y1={plotTop} y2={plotBottom} stroke="var(--gray-a8)" /> : null}
        </svg>
      ) : null}
      {shown ? (
        <div className="chart-tooltip" style={{
          position: "absolute", top: 0, pointerEvents: "none", zIndex: 1,
          [x(hover) > width / 2 ? "right" : "left"]: x(hover) > width / 2 ? width - x(hover) + 8 : x(hover) + 8,
          background: "var(--color-panel-solid)", border: "1px solid var(--gray-a6)", borderRadius: 6,
          padding: "4px 8px", fontSize: 12, whiteSpace: "nowrap",
        }}>
          <div style={{ fontWeight: 600 }}>{shown[xKey]}</div>
          {series.map((s) => (
            <div key={s.key} style={{ color: s.color }}>{`${s.name}: ${shown[s.key] ?? "–"}`}</div>
          ))}
        </div>
      ) : null}
    </div>
  );
}

function Legend({ series }) {
  return (
    <div className="chart-legend" style={{ display: "flex", gap: 16, justifyContent: "center", flexWrap: "wrap", fontSize: 12 }}>
      {series.map((s) => (
        <span key={s.key} style={{ display: "inline-flex", alignItems: "center", gap: 4, color: s.color }}>
          <svg width="14" height="8"><line x1="0" x2="14" y1="4" y2="4" stroke={s.color} strokeWidth="2"
            strokeDasharray={s.dashed ? "3 2" : undefined} /></svg>
          {s.name}
        </span>
      ))}
    </div>
  );
}

// Drawn again only when its points or series change, not each time its card is (the points come as
// a new array whenever the page draws them; comparing a few dozen points is cheap).
const same = (before, after) =>
  before.height === after.height &&
  JSON.stringify(before.data) === JSON.stringify(after.data) &&
  JSON.stringify(before.series) === JSON.stringify(after.series);

export const LiveChart = memo(function LiveChart({ data, xKey, series, height, rightUnit, legend }) {
  return (
    <div style={{ width: "100%" }}>
      <Chart data={data} xKey={xKey} series={series} height={height} rightUnit={rightUnit} />
      {legend ? <Legend series={series} /> : null}
    </div>
  );
}, same);
