import { providerPackages, secondsIn } from "./engine-log";
import type { Observed } from "./ours";
import type { Breakdown } from "./report";

/** Splits one observed operation (run with the engine logging at -v=7) by the provider calls in its log. */
export function breakdownOf(name: string, o: Observed): Breakdown {
  const u = o.run.providers[0];
  const pluginStartMs = o.run.cliStartMs + u.launchedAfterSeconds * 1000;
  const first = o.calls.at(0);
  if (!first) throw new Error(`the engine log of the ${name} has no provider call: was it run with -v=7?`);
  const lastEnd = Math.max(...o.calls.map((c) => c.endMs));
  return {
    operation: name,
    total: o.sample.seconds,
    beforePlugin: u.launchedAfterSeconds,
    pluginStart: (first.startMs - pluginStartMs) / 1000,
    check: secondsIn(o.calls, "Check"),
    diff: secondsIn(o.calls, "Diff"),
    work: secondsIn(o.calls, "Create") + secondsIn(o.calls, "Update"),
    afterLastCall: (o.run.cliEndMs - lastEnd) / 1000,
    calls: o.calls.map((c) => c.method),
  };
}

/** One provider's share of an operation: when the engine first called it, and its calls' time by kind. */
export interface ProviderShare {
  /** The provider's package: `pulumi-nodejs` (the dynamic-provider plugin), `cloudflare`, … */
  name: string;
  /** Seconds from the `pulumi` CLI's start to the engine's first call to it (its plugin has started by then). */
  firstCallAfter: number;
  /** Seconds in its calls (summed; calls that run side by side overlap), by kind. */
  check: number;
  diff: number;
  /** Create, Update, Delete. */
  work: number;
  /** Read (refresh, and the data sources a program reads through Invoke). */
  read: number;
  /** How many per-resource calls (Check, Diff, Create, Update, Delete, Read, Invoke). */
  calls: number;
  /** Its Create, Update and Delete calls in the order they started: the resource, when (after the CLI's start), how long. */
  workCalls: { resource: string; startAfter: number; seconds: number }[];
}

/** A logged operation of a stack with several providers, split by provider. */
export interface ProviderSplit {
  operation: string;
  total: number;
  shares: ProviderShare[];
}

const PER_RESOURCE = ["Check", "Diff", "Create", "Update", "Delete", "Read", "Invoke"];

/** Splits one observed operation (logged at -v=7) by provider, from the engine's own time stamps. */
export function providerSplit(name: string, o: Observed): ProviderSplit {
  const packages = providerPackages(o.calls);
  const handles = [...new Set(o.calls.map((c) => c.provider))].filter((h) => packages.has(h));
  const shares = handles.map((h): ProviderShare => {
    const calls = o.calls.filter((c) => c.provider === h);
    return {
      name: packages.get(h) ?? h,
      firstCallAfter: (Math.min(...calls.map((c) => c.startMs)) - o.run.cliStartMs) / 1000,
      check: secondsIn(calls, "Check"),
      diff: secondsIn(calls, "Diff"),
      work: secondsIn(calls, "Create") + secondsIn(calls, "Update") + secondsIn(calls, "Delete"),
      read: secondsIn(calls, "Read") + secondsIn(calls, "Invoke"),
      calls: calls.filter((c) => PER_RESOURCE.includes(c.method)).length,
      workCalls: calls
        .filter((c) => ["Create", "Update", "Delete"].includes(c.method))
        .map((c) => ({
          resource: c.target.split("::").pop() ?? c.target,
          startAfter: (c.startMs - o.run.cliStartMs) / 1000,
          seconds: (c.endMs - c.startMs) / 1000,
        })),
    };
  });
  return { operation: name, total: o.sample.seconds, shares };
}
