import type { CapacityPlan } from "@smartos-mail/pulumi/tools";
import { renderTable } from "./table";

/** GB to one decimal, as the guide quotes its figures (8.2 GB). */
const gb = (v: number) => (Math.round(v * 10) / 10).toFixed(1);

/** The capacity plan as two tables: what each store peaks at, and each dataset's need and recommended quota. */
export function renderPlan(plan: CapacityPlan): string {
  const { inputs, peak, need, quota } = plan;
  const heading =
    `Storage plan: ${inputs.sentGbPerMonth} GB/month sent, ${inputs.receivedGbPerMonth} GB/month received, ` +
    `growing ${inputs.monthlyGrowth}x a month; server replaced after ${inputs.lifetimeMonths} months, ` +
    `archive ${inputs.archiveMonths} months; stores sized at month ${plan.horizonMonths}.\n\n`;
  const stores = renderTable(
    [{ title: "STORE" }, { title: "PEAK GB", align: "right" }, { title: "HOLDS" }],
    [
      [
        "queue",
        gb(peak.queueGb),
        `${inputs.maxUndeliverableDays} days of outgoing mail at month ${inputs.lifetimeMonths}, if nothing can be delivered`,
      ],
      ["outgoing archive", gb(peak.outgoingArchiveGb), `${inputs.archiveMonths} months of sent mail`],
      [
        "mailboxes",
        gb(peak.mailboxesGb),
        `received mail users keep (${inputs.mailboxMonths ?? plan.horizonMonths} months)`,
      ],
      ["incoming archive", gb(peak.incomingArchiveGb), `${inputs.archiveMonths} months of received mail`],
    ],
  );
  const datasets = renderTable(
    [
      { title: "DATASET" },
      { title: "NEEDS GB", align: "right" },
      { title: "QUOTA GB", align: "right" },
      { title: "MOUNT" },
    ],
    [
      ["spool", gb(need.spoolGb), String(quota.spoolGb), "/var/spool/postfix (the queue)"],
      ["mail", gb(need.mailGb), String(quota.mailGb), "/var/mail (mailboxes, archives, and the spool below it)"],
      [
        "zone",
        gb(need.zoneGb),
        String(quota.zoneGb),
        `the zone's quota (mail + ${inputs.systemReserveGb} GB for the system)`,
      ],
    ],
  );
  return `${heading}${stores}\n${datasets}\nQuotas add ${Math.round(inputs.headroom * 100)}% headroom to each need, rounded up to whole GB.\n`;
}
