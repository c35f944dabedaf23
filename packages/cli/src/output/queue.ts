import type { QueueShape } from "@smartos-mail/pulumi/tools";
import { renderTable } from "./table";

/** A bucket heading in minutes as qshape writes it: `5`, `0.5`; the open-ended last one with `+`. */
function heading(minutes: number, open: boolean): string {
  return `${Number(minutes.toPrecision(12))}${open ? "+" : ""}`;
}

/**
 * qshape's table with a DOMAIN and a TOTAL column, right-aligned counts, and
 * a note on how to read the age columns.
 */
export function renderQueueShape(shape: QueueShape): string {
  const last = shape.bucketsMinutes.length - 1;
  const columns = [
    { title: "DOMAIN" },
    { title: "TOTAL", align: "right" as const },
    ...shape.bucketsMinutes.map((m, i) => ({ title: heading(m, i === last), align: "right" as const })),
  ];
  const row = (name: string, r: { count: number; buckets: number[] }) => [
    name,
    String(r.count),
    ...r.buckets.map(String),
  ];
  const table = renderTable(columns, [row("TOTAL", shape.total), ...shape.domains.map((d) => row(d.domain, d))]);
  const first = heading(shape.bucketsMinutes[0], last === 0);
  const note =
    last === 0
      ? `Age column: messages at least ${first} minutes in the queue.`
      : `Age columns: minutes in the queue; ${first} counts messages under ${first} minutes, each next column up to its heading, ${heading(shape.bucketsMinutes[last], true)} the older ones.`;
  const empty = shape.total.count === 0 ? "The queues asked for are empty.\n" : "";
  return `${table}\n${empty}${note}\n`;
}
