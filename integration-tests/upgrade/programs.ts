import * as path from "node:path";
import type * as Library from "@smartos-mail/pulumi";
import { EXAMPLES_DIR, exampleProgram, projectOf } from "../harness/example-stack";
import { KITCHEN_SINK_PROJECT, kitchenSink } from "./kitchen-sink";

/** The programs the upgrade tests run at a baseline release and at HEAD. */
export const UPGRADE_PROGRAMS = ["send-only", "kitchen-sink"] as const;

/** One of {@link UPGRADE_PROGRAMS}. */
export type UpgradeProgramName = (typeof UPGRADE_PROGRAMS)[number];

/** The stack project of an upgrade program (the namespace of its config keys). */
export function projectOfProgram(name: UpgradeProgramName): string {
  return name === "kitchen-sink" ? KITCHEN_SINK_PROJECT : projectOf(name);
}

/** Whether the program's return value is its stack outputs (an example's module exports). */
export const exportsOutputs = (name: UpgradeProgramName): boolean => name === "send-only";

/**
 * An upgrade program as the engine runs it: at the release `build-baseline.sh` laid out in `releaseDir`
 * (that release's own copy of the example; the kitchen sink on that release's library), or at HEAD when
 * `releaseDir` is unset. `edited` gives the kitchen sink's one mutable change; the example's is made in
 * its config.
 */
export function upgradeProgram(name: UpgradeProgramName, releaseDir?: string, edited = false): () => unknown {
  if (name === "send-only") {
    return exampleProgram(name, releaseDir ? path.join(releaseDir, "examples") : EXAMPLES_DIR);
  }
  const lib: typeof Library = releaseDir
    ? require(path.join(releaseDir, "packages", "pulumi"))
    : require("@smartos-mail/pulumi");
  return kitchenSink(lib, edited);
}
