import type { Finding, Status } from "../check/result";
import { exitCodeFor } from "../check/result";
import { renderTable } from "./table";

const STATUSES: Status[] = ["pass", "info", "warn", "fail"];

/** `check`'s table (CHECK, RESULT, DETAIL) and a summary line with the exit code it leads to. */
export function renderFindings(domain: string, findings: readonly Finding[]): string {
  const table = renderTable(
    [{ title: "CHECK" }, { title: "RESULT" }, { title: "DETAIL" }],
    findings.map((f) => [f.check, f.status.toUpperCase(), f.detail]),
  );
  const counts = STATUSES.map((s) => `${findings.filter((f) => f.status === s).length} ${s}`).join(", ");
  return `${table}\n${domain}: ${counts} (exit ${exitCodeFor(findings)})\n`;
}
