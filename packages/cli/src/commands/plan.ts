import { writeFileSync } from "node:fs";
import { capacityChartSvg, capacityPlanSchema, planCapacity } from "@smartos-mail/pulumi/tools";
import { numberOption, parseCommandLine } from "../args";
import { CliError, UsageError } from "../errors";
import { type Io, printHelp } from "../output/io";
import { renderPlan } from "../output/plan";

type PlanField = keyof typeof capacityPlanSchema.shape;

/** `sentGbPerMonth` -> `sent-gb-per-month`: each option is a field of the library's capacityPlanSchema. */
const flagOf = (field: string) => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const FIELDS = Object.keys(capacityPlanSchema.shape) as PlanField[];

export const planHelp = `Usage: smartos-mail plan storage --sent-gb-per-month GB --monthly-growth F [options] [--svg FILE] [--json]

The guide's storage model ("Quota"): how large the queue, the archives and the
mailboxes grow, and the zone, /var/mail and /var/spool/postfix quotas to set.

Options (the fields of capacityPlanSchema; GB are the GiB zfs and vmadm count in):
      --sent-gb-per-month GB        mail sent in the first month (required)
      --received-gb-per-month GB    mail received in the first month (default 0: send-only)
      --monthly-growth F            factor both volumes grow by each month, 1.1 = 10% (required)
      --max-undeliverable-days D    longest time nothing can be delivered (default 5)
      --lifetime-months M           months until the server is replaced (default 24)
      --archive-months M            months of mail archived locally (default 0)
      --mailbox-months M            months users keep received mail (default: to the horizon)
      --headroom F                  fraction added to each quota (default 0.2)
      --system-reserve-gb GB        zone space for everything but mail (default 20)
      --svg FILE                    also write the chart of the sizes month by month
      --json                        print the plan as JSON

The guide's example: --sent-gb-per-month 5 --received-gb-per-month 10 --monthly-growth 1.1
  --max-undeliverable-days 5 --lifetime-months 24 --archive-months 36

Exit status: 0 planned, 1 the chart could not be written, 2 usage error or invalid inputs.
`;

/** `smartos-mail plan storage`. */
export async function planCommand(argv: string[], io: Io): Promise<number> {
  const options = Object.fromEntries(FIELDS.map((f) => [flagOf(f), { type: "string" as const }]));
  const { values, positionals } = parseCommandLine("plan", argv, {
    ...options,
    svg: { type: "string" },
    json: { type: "boolean" },
  });
  if (values.help) return printHelp(io, planHelp);
  if (positionals[0] !== "storage" || positionals.length > 1) {
    throw new UsageError(
      positionals.length === 0 ? "plan needs what to plan: storage" : `plan: unknown plan "${positionals.join(" ")}"`,
      "smartos-mail plan storage --sent-gb-per-month 5 ...",
    );
  }
  const inputs: Record<string, number> = {};
  for (const field of FIELDS) {
    const n = numberOption(flagOf(field), (values as Record<string, unknown>)[flagOf(field)] as string | undefined);
    if (n !== undefined) inputs[field] = n;
  }
  const parsed = capacityPlanSchema.safeParse(inputs);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`--${flagOf(String(issue.path[0]))}: ${issue.message}`, "see smartos-mail plan --help");
  }
  const plan = planCapacity(parsed.data);
  const svg = values.svg as string | undefined;
  if (svg !== undefined) {
    try {
      writeFileSync(svg, capacityChartSvg(plan));
    } catch (err) {
      throw new CliError(
        `cannot write the chart to ${svg}: ${(err as NodeJS.ErrnoException).code ?? err}`,
        "give a path in a directory that exists and that you may write to",
      );
    }
  }
  if (values.json) {
    io.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
  } else {
    io.stdout.write(renderPlan(plan));
    if (svg !== undefined) io.stdout.write(`Chart written to ${svg}.\n`);
  }
  return 0;
}
