import { useEffect, useId, useRef, useState } from 'react';
import { niceMax, type HourFigure, type HourFigures } from '../lib/series';

/** One series of bars: which figure of an hour, its name in the legend and table, its colour. */
export interface ChartSeries {
  key: HourFigure;
  label: string;
  className: string;
}

/** Outbound messages by how far they got, each counted in the hour it got there. */
export const OUTBOUND_SERIES: ChartSeries[] = [
  { key: 'sent', label: 'Sent', className: 'bar-sent' },
  { key: 'delivered', label: 'Delivered', className: 'bar-delivered' },
  { key: 'read', label: 'Read', className: 'bar-read' },
  { key: 'failed', label: 'Failed', className: 'bar-failed' },
];

export const INBOUND_SERIES: ChartSeries[] = [{ key: 'inbound', label: 'Received', className: 'bar-inbound' }];

const hourLabel = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * Figures per hour as grouped bars (hand-made SVG: no chart library for a hundred rectangles),
 * with its totals as the image's description and every figure in a table below.
 */
export function HourlyChart({ title, lines, series }: { title: string; lines: ChartSeries[]; series: HourFigures[] }) {
  const titleId = useId();
  const descId = useId();
  // Drawn at the size it is shown (one SVG unit per CSS pixel), so labels keep their size on a phone.
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(720);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(240, Math.floor(el.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const height = 220;
  const pad = { top: 12, right: 8, bottom: 28, left: 36 };
  const top = niceMax(Math.max(0, ...series.flatMap((h) => lines.map((l) => h[l.key]))));
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const group = innerW / Math.max(1, series.length);
  const bar = Math.max(1, (group - 4) / lines.length);
  const y = (v: number) => pad.top + innerH - (v / top) * innerH;
  const totals = lines.map((s) => ({ ...s, sum: series.reduce((a, h) => a + h[s.key], 0) }));

  return (
    <figure className="chart">
      <div ref={box} className="chart-box">
        <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-labelledby={`${titleId} ${descId}`}>
          <title id={titleId}>{title}, last 24 hours</title>
          <desc id={descId}>{totals.map((t) => `${t.label}: ${t.sum}`).join('; ')}. Every hour is listed in the table below.</desc>
          {[0, ...(Number.isInteger(top / 2) ? [top / 2] : []), top].map((v) => (
            <g key={v} className="grid">
              <line x1={pad.left} x2={width - pad.right} y1={y(v)} y2={y(v)} />
              <text x={pad.left - 6} y={y(v) + 4} textAnchor="end">
                {v}
              </text>
            </g>
          ))}
          {series.map((h, i) => (
            <g key={h.hour}>
              {lines.map((s, j) => {
                const v = h[s.key];
                return v > 0 ? (
                  <rect key={s.key} className={s.className} x={pad.left + i * group + 2 + j * bar} y={y(v)} width={bar} height={pad.top + innerH - y(v)}>
                    <title>{`${hourLabel(h.hour)}: ${v} ${s.label.toLowerCase()}`}</title>
                  </rect>
                ) : null;
              })}
              {i % (width < 480 ? 8 : 6) === 0 && (
                <text className="axis" x={pad.left + i * group + group / 2} y={height - 8} textAnchor="middle">
                  {hourLabel(h.hour)}
                </text>
              )}
            </g>
          ))}
        </svg>
      </div>
      <figcaption>
        <ul className="legend">
          {totals.map((t) => (
            <li key={t.key}>
              <span className={`swatch ${t.className}`} aria-hidden="true" />
              {t.label}: <strong>{t.sum}</strong>
            </li>
          ))}
        </ul>
      </figcaption>
      <details>
        <summary>{title} as a table</summary>
        <div className="table-scroll">
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">Hour</th>
                {lines.map((s) => (
                  <th scope="col" key={s.key}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {series.map((h) => (
                <tr key={h.hour}>
                  <th scope="row">{hourLabel(h.hour)}</th>
                  {lines.map((s) => (
                    <td key={s.key}>{h[s.key]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
