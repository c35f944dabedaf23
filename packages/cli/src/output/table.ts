/** How a column's cells line up. */
export type Align = "left" | "right";

/** A column of {@link renderTable}. */
export interface Column {
  /** The heading. */
  title: string;
  /** Default left. */
  align?: Align;
}

/**
 * A plain-text table: a heading row, then one row per entry, columns two
 * spaces apart and padded to their widest cell. The last column is not
 * padded, so long details do not leave trailing spaces.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? "";
        if (c.align === "right") return cell.padStart(widths[i]);
        return i === columns.length - 1 ? cell : cell.padEnd(widths[i]);
      })
      .join("  ")
      .trimEnd();
  return `${[line(columns.map((c) => c.title)), ...rows.map(line)].join("\n")}\n`;
}
