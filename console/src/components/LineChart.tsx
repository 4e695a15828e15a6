/** A small SVG line chart of one or more series over time; no chart library. */
import { useState, type PointerEvent } from 'react';
import { linePath, linearScale, maxOf } from '../lib/chart-scale';
import { formatClock } from '../lib/format';

export interface ChartSeries {
  name: string;
  color: string;
  values: (number | null)[];
}

interface Props {
  title: string;
  /** Epoch ms of each value. */
  times: number[];
  series: ChartSeries[];
  format: (v: number) => string;
  /** Fixed top of the y axis (e.g. 100 for percentages). */
  max?: number;
  /** Bottom of the y axis (default 0). */
  min?: number;
  height?: number;
  testId?: string;
  /** A threshold drawn as a dashed line (an automatic release's limit). */
  threshold?: number;
}

const W = 360;
const PAD = { top: 10, right: 10, bottom: 22, left: 52 };

export function LineChart({ title, times, series, format, max, min = 0, height = 150, testId, threshold }: Props) {
  const [hover, setHover] = useState<number | undefined>(undefined);
  const t0 = times[0] ?? 0;
  const t1 = times[times.length - 1] ?? t0 + 1;
  const x = linearScale(t0, t1, PAD.left, W - PAD.right);
  const top = max ?? Math.max(maxOf([...series.flatMap((s) => s.values), threshold ?? null]) * 1.1, min + 1e-3);
  const y = linearScale(min, top, height - PAD.bottom, PAD.top, max === undefined, 3);
  const hasData = series.some((s) => s.values.some((v) => v !== null && Number.isFinite(v)));
  const handleMove = (e: PointerEvent<SVGSVGElement>): void => {
    const r = e.currentTarget.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * W;
    if (times.length === 0) return;
    let best = 0;
    for (let i = 1; i < times.length; i++) if (Math.abs(x(times[i]!) - px) < Math.abs(x(times[best]!) - px)) best = i;
    setHover(best);
  };
  const xTicks = times.length > 1 ? [t0, t0 + (t1 - t0) / 2, t1] : [];
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption className="chart-title">
        {title}
        <span className="chart-legend">
          {series.map((s) => (
            <span key={s.name} className="chart-legend-item">
              <span className="chart-swatch" style={{ background: s.color }} aria-hidden="true" />
              {s.name}
              {hover !== undefined && s.values[hover] !== null && s.values[hover] !== undefined ? `: ${format(s.values[hover] as number)}` : ''}
            </span>
          ))}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label={`${title} chart`} onPointerMove={handleMove} onPointerLeave={() => setHover(undefined)}>
        {y.ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="chart-grid" />
            <text x={PAD.left - 6} y={y(t) + 3} className="chart-axis" textAnchor="end">
              {format(t)}
            </text>
          </g>
        ))}
        {xTicks.map((t, i) => (
          <text key={t} x={x(t)} y={height - 6} className="chart-axis" textAnchor={i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}>
            {formatClock(t)}
          </text>
        ))}
        {series.map((s) => (
          <path key={s.name} d={linePath(times.map((t, i) => ({ x: x(t), y: s.values[i] === null || s.values[i] === undefined ? null : y(s.values[i] as number) })))} fill="none" stroke={s.color} strokeWidth={1.8} strokeLinejoin="round" />
        ))}
        {threshold !== undefined && threshold >= min && threshold <= top ? (
          <line x1={PAD.left} x2={W - PAD.right} y1={y(threshold)} y2={y(threshold)} className="chart-threshold" data-testid={testId ? `${testId}-threshold` : undefined}>
            <title>threshold {format(threshold)}</title>
          </line>
        ) : null}
        {hover !== undefined && times[hover] !== undefined ? <line x1={x(times[hover])} x2={x(times[hover])} y1={PAD.top} y2={height - PAD.bottom} className="chart-cursor" /> : null}
        {!hasData ? (
          <text x={W / 2} y={height / 2} textAnchor="middle" className="chart-nodata">
            No data in this window
          </text>
        ) : null}
      </svg>
    </figure>
  );
}
