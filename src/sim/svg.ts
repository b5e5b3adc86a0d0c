/**
 * Tiny inline-SVG charts (line, step, scatter, bars) for the offline report and the benches:
 * no library, no network fetch, just markup with axes, ticks and a title.
 *
 * @example
 * const svg = lineChart({ title: 'PDR', xLabel: 's', yLabel: 'PDR', series: [{ name: 'pdr', points: [[0, 1], [1, 0.9]] }] });
 */
export interface Series {
  name: string;
  points: Array<[number, number]>;
  color?: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  width?: number;
  height?: number;
  yMin?: number;
  yMax?: number;
  /** Draw markers as well as lines. */
  markers?: boolean;
  /** Join the points with lines. @default true */
  lines?: boolean;
  xMin?: number;
  xMax?: number;
  /** Vertical spans to shade: [from, to, label]. */
  spans?: Array<[number, number, string]>;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function niceTicks(min: number, max: number, count = 5): number[] {
  if (max <= min) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

const fmt = (v: number): string =>
  Math.abs(v) >= 1000 ? v.toFixed(0) : String(Math.round(v * 1000) / 1000);

export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 280;
  const m = { l: 60, r: 20, t: 30, b: 45 };
  const all = o.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]).concat((o.spans ?? []).flatMap((s) => [s[0], s[1]]));
  const ys = all.map((p) => p[1]);
  const xMin = o.xMin ?? (xs.length ? Math.min(...xs) : 0);
  const xMax = o.xMax ?? (xs.length ? Math.max(...xs, xMin + 1e-9) : 1);
  const yMin = o.yMin ?? (ys.length ? Math.min(...ys) : 0);
  const yMax = o.yMax ?? (ys.length ? Math.max(...ys, yMin + 1e-9) : 1);
  const sx = (x: number): number => m.l + ((x - xMin) / (xMax - xMin || 1)) * (W - m.l - m.r);
  const sy = (y: number): number => H - m.b - ((y - yMin) / (yMax - yMin || 1)) * (H - m.t - m.b);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(o.title)}</text>`,
  );
  for (const [a, b, label] of o.spans ?? []) {
    const x0 = sx(a);
    const x1 = Math.max(sx(b), x0 + 2);
    parts.push(
      `<rect x="${x0.toFixed(1)}" y="${m.t}" width="${(x1 - x0).toFixed(1)}" height="${H - m.t - m.b}" fill="#f5a623" opacity="0.25"><title>${escapeXml(label)}</title></rect>`,
    );
  }
  for (const t of niceTicks(xMin, xMax)) {
    parts.push(
      `<line x1="${sx(t).toFixed(1)}" y1="${H - m.b}" x2="${sx(t).toFixed(1)}" y2="${H - m.b + 4}" stroke="#333"/>`,
    );
    parts.push(
      `<text x="${sx(t).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  for (const t of niceTicks(yMin, yMax)) {
    parts.push(
      `<line x1="${m.l}" y1="${sy(t).toFixed(1)}" x2="${W - m.r}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${m.l - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  parts.push(`<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#333"/>`);
  parts.push(`<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#333"/>`);
  parts.push(
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`,
  );
  parts.push(
    `<text x="14" y="${H / 2}" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">${escapeXml(o.yLabel)}</text>`,
  );
  o.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    if (s.points.length > 1 && o.lines !== false) {
      const d = s.points
        .map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
        .join('');
      parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    }
    if (o.markers || s.points.length === 1) {
      for (const p of s.points)
        parts.push(
          `<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="3" fill="${color}"/>`,
        );
    }
    parts.push(
      `<text x="${W - m.r - 4}" y="${m.t + 12 + 14 * i}" text-anchor="end" fill="${color}">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
