import type { CapacityMonth, CapacityPlan } from "./capacity";

/** Options of {@link capacityChartSvg}. */
export interface CapacityChartOptions {
  /** Heading above the chart. Default "Mail storage plan". */
  title?: string;
  /** Width in pixels. Default 800. */
  width?: number;
  /** Height in pixels. Default 450. */
  height?: number;
}

interface Series {
  label: string;
  color: string;
  gb: (m: CapacityMonth) => number;
  peakGb: (plan: CapacityPlan) => number;
}

const SERIES: Series[] = [
  {
    label: "Mail queue, /var/spool/postfix",
    color: "#d62728",
    gb: (m) => m.queueGb,
    peakGb: (p) => p.peak.queueGb,
  },
  {
    label: "Outgoing archive",
    color: "#1f77b4",
    gb: (m) => m.outgoingArchiveGb,
    peakGb: (p) => p.peak.outgoingArchiveGb,
  },
  {
    label: "Incoming: mailboxes + archive",
    color: "#2ca02c",
    gb: (m) => m.mailboxesGb + m.incomingArchiveGb,
    peakGb: (p) => p.peak.mailboxesGb + p.peak.incomingArchiveGb,
  },
];

const MARGIN = { left: 72, right: 24, top: 48, bottom: 56 };

/** `text` safe inside an SVG element or a double-quoted attribute. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A tick step of 1, 2 or 5 × 10^n giving at most about five ticks up to `max`. */
function niceStep(max: number): number {
  const raw = max / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5].map((f) => f * pow).find((s) => s >= raw) ?? 10 * pow;
}

/** The value axis for values up to `max`: a tick step and the top, a whole number of steps (at least one). */
function valueAxis(max: number): { step: number; top: number } {
  const step = max > 0 ? niceStep(max) : 1;
  return { step, top: Math.max(Math.ceil(max / step), 1) * step };
}

/**
 * A chart's first elements: the svg element, its title, a white background, the heading, and a grey
 * line across the plot for each tick of `axis`, its value left of the plot; `y` places a value.
 */
function chartStart(
  width: number,
  height: number,
  title: string,
  axis: { step: number; top: number },
  y: (value: number) => number,
): string[] {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16">${escapeXml(title)}</text>`,
  ];
  for (let i = 0; i <= Math.round(axis.top / axis.step); i++) {
    const v = i * axis.step;
    out.push(
      `<line x1="${MARGIN.left}" y1="${y(v)}" x2="${width - MARGIN.right}" y2="${y(v)}" stroke="#e0e0e0"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(v)}" text-anchor="end" dominant-baseline="middle">${tickText(v)}</text>`,
    );
  }
  return out;
}

/** A tick value without float noise: 0.30000000000000004 reads 0.3. */
const tickText = (v: number) => String(Number(v.toPrecision(12)));

/** A coordinate to one decimal, so the document does not carry float noise. */
const px = (v: number) => Math.round(v * 10) / 10;

/**
 * The plan's growth month by month as a standalone SVG document: one line per
 * store that holds anything (queue, outgoing archive, incoming mail), axes in
 * months and GB, a legend with the planned sizes, and a dashed line where the
 * server is replaced. Same plan and options, same string.
 */
export function capacityChartSvg(plan: CapacityPlan, options: CapacityChartOptions = {}): string {
  const { title = "Mail storage plan", width = 800, height = 450 } = options;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const series = SERIES.filter((s) => plan.months.some((m) => s.gb(m) > 0));
  const maxGb = Math.max(...series.flatMap((s) => plan.months.map(s.gb)));
  const axis = valueAxis(maxGb);
  const xStep = [1, 2, 3, 6, 12].find((s) => plan.horizonMonths / s <= 12) ?? 24;
  const x = (month: number) => px(MARGIN.left + (month / plan.horizonMonths) * plotW);
  const y = (gb: number) => px(MARGIN.top + plotH - (gb / axis.top) * plotH);
  const bottom = MARGIN.top + plotH;

  const out = chartStart(width, height, title, axis, y);
  for (let month = 0; month <= plan.horizonMonths; month += xStep) {
    out.push(
      `<line x1="${x(month)}" y1="${bottom}" x2="${x(month)}" y2="${bottom + 5}" stroke="#000000"/>`,
      `<text x="${x(month)}" y="${bottom + 18}" text-anchor="middle">${month}</text>`,
    );
  }
  out.push(
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}" stroke="#000000"/>`,
    `<line x1="${MARGIN.left}" y1="${bottom}" x2="${MARGIN.left + plotW}" y2="${bottom}" stroke="#000000"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${height - 12}" text-anchor="middle">Months in service</text>`,
    `<text x="16" y="${MARGIN.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${MARGIN.top + plotH / 2})">GB</text>`,
  );

  const replaced = plan.inputs.lifetimeMonths;
  const early = replaced < plan.horizonMonths / 2;
  out.push(
    `<line x1="${x(replaced)}" y1="${MARGIN.top}" x2="${x(replaced)}" y2="${bottom}" stroke="#555555" stroke-dasharray="4 4"/>`,
    `<text x="${px(x(replaced) + (early ? 4 : -4))}" y="${MARGIN.top - 6}" text-anchor="${early ? "start" : "end"}" fill="#555555">server replaced (month ${replaced})</text>`,
  );

  series.forEach((s, i) => {
    const points = plan.months.map((m) => `${x(m.month)},${y(s.gb(m))}`).join(" ");
    const legendY = MARGIN.top + 12 + i * 18;
    const legend = `${s.label}: ${Number(s.peakGb(plan).toFixed(1))} GB planned`;
    out.push(
      `<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"/>`,
      `<line x1="${MARGIN.left + 12}" y1="${legendY}" x2="${MARGIN.left + 32}" y2="${legendY}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${MARGIN.left + 38}" y="${legendY}" dominant-baseline="middle">${escapeXml(legend)}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

/** One series of {@link barChartSvg}: a colour and a value per group (undefined: not measured, no bar). */
export interface BarSeries {
  label: string;
  color: string;
  values: readonly (number | undefined)[];
}

/** Options of {@link barChartSvg}. */
export interface BarChartOptions {
  title: string;
  /** Label of the value axis, e.g. "seconds". */
  valueLabel: string;
  /** Text above each bar. Default: the value to 3 significant digits. */
  format?: (value: number) => string;
  /** Width in pixels. Default 800. */
  width?: number;
  /** Height in pixels. Default 450. */
  height?: number;
}

/**
 * Grouped bars as a standalone SVG document: one group per entry of `groups`,
 * in it one bar per series that has a value there, in the series' colour and
 * order, with the value above it; a legend of the series. Same input, same string.
 */
export function barChartSvg(groups: readonly string[], series: readonly BarSeries[], options: BarChartOptions): string {
  const { title, valueLabel, width = 800, height = 450 } = options;
  const format = options.format ?? ((v: number) => String(Number(v.toPrecision(3))));
  const legendH = 18 * Math.ceil(series.length / 2);
  const top = MARGIN.top + legendH;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - top - MARGIN.bottom;
  const bottom = top + plotH;
  const max = Math.max(...series.flatMap((s) => s.values.filter((v): v is number => v !== undefined)), 0);
  const axis = valueAxis(max);
  const y = (v: number) => px(bottom - (v / axis.top) * plotH);
  const groupW = plotW / Math.max(groups.length, 1);
  const barW = (groupW * 0.8) / Math.max(series.length, 1);

  const out = chartStart(width, height, title, axis, y);
  out.push(
    `<line x1="${MARGIN.left}" y1="${top}" x2="${MARGIN.left}" y2="${bottom}" stroke="#000000"/>`,
    `<line x1="${MARGIN.left}" y1="${bottom}" x2="${MARGIN.left + plotW}" y2="${bottom}" stroke="#000000"/>`,
    `<text x="16" y="${px(top + plotH / 2)}" text-anchor="middle" transform="rotate(-90 16 ${px(top + plotH / 2)})">${escapeXml(valueLabel)}</text>`,
  );
  groups.forEach((group, g) => {
    const x0 = MARGIN.left + g * groupW + groupW * 0.1;
    out.push(
      `<text x="${px(MARGIN.left + (g + 0.5) * groupW)}" y="${bottom + 18}" text-anchor="middle">${escapeXml(group)}</text>`,
    );
    series.forEach((s, i) => {
      const v = s.values[g];
      if (v === undefined) return;
      const x = x0 + i * barW;
      out.push(
        `<rect x="${px(x)}" y="${y(v)}" width="${px(barW * 0.9)}" height="${px(bottom - y(v))}" fill="${s.color}"><title>${escapeXml(`${s.label}, ${group}: ${format(v)}`)}</title></rect>`,
        `<text x="${px(x + barW * 0.45)}" y="${px(y(v) - 4)}" text-anchor="middle" font-size="10">${escapeXml(format(v))}</text>`,
      );
    });
  });
  series.forEach((s, i) => {
    const lx = MARGIN.left + (i % 2) * (plotW / 2);
    const ly = MARGIN.top - 8 + Math.floor(i / 2) * 18;
    out.push(
      `<rect x="${lx}" y="${ly - 6}" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${lx + 18}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
