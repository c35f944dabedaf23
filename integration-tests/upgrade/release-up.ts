/**
 * The child process of {@link upAtRelease}: configures a stack and runs `pulumi up` of an upgrade program at
 * a baseline release, then prints the steps as JSON on its last line. The job comes in the environment
 * (`SMARTOS_MAIL_RELEASE_UP`).
 */
import * as path from "node:path";
import { PulumiStack } from "../harness/pulumi-stack";
import { exportsOutputs, upgradeProgram } from "./programs";
import type { ReleaseUpJob } from "./releases";

async function main(): Promise<void> {
  const job = JSON.parse(process.env.SMARTOS_MAIL_RELEASE_UP ?? "") as ReleaseUpJob;
  const stack = new PulumiStack({
    dir: job.dir,
    project: job.project,
    library: path.join(job.releaseDir, "packages", "pulumi"),
  });
  await stack.configure(job.config);
  const steps = await stack.up(upgradeProgram(job.program, job.releaseDir), { exports: exportsOutputs(job.program) });
  // One copy of the SDK in this process (pulumi/pulumi#7333): the harness's, the release's and its example's.
  const sdks = new Set(
    Object.keys(require.cache).filter((f) => f.endsWith(`${path.sep}@pulumi${path.sep}pulumi${path.sep}index.js`)),
  );
  if (sdks.size !== 1) throw new Error(`@pulumi/pulumi loaded from ${[...sdks].join(", ")}`);
  process.stdout.write(`${JSON.stringify(steps)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
