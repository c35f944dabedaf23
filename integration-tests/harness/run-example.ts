/**
 * Runs one example program under the SDK's mock runtime, in this process,
 * with the given `pulumi config`, and prints what it registered as JSON:
 * `{ resources: [{ type, name, inputs }], outputs }`. Run as a child process
 * (the SDK's runtime settings are per process):
 *   node run-example.js EXAMPLE_DIR CONFIG_JSON
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

const DKIM = `v=DKIM1; k=rsa; p=${"M".repeat(392)}`;

async function main(): Promise<void> {
  const [dir, configJson] = process.argv.slice(2);
  const project = path.basename(dir);
  const config = JSON.parse(configJson) as Record<string, string>;
  const resources: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        resources.push({ type: a.type, name: a.name, inputs: a.inputs });
        // OpenDkimKey's outputs, which its provider would compute on create.
        const dkim = a.inputs.selector
          ? { dkimRecordName: `${a.inputs.selector}._domainkey.${a.inputs.domain}`, dkimRecordValue: DKIM }
          : {};
        return { id: `${a.name}-id`, state: { ...a.inputs, ...dkim } };
      },
      call: () => ({}),
    },
    project,
    "dev",
    false,
  );
  const keyed = Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `${project}:${k}`, v]),
  );
  pulumi.runtime.setAllConfig(keyed);
  const exports = require(path.resolve(dir, "dist", "index.js")) as Record<string, pulumi.Input<unknown>>;
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exports)) {
    outputs[name] = await new Promise((resolve) => (pulumi.output(value) as pulumi.Output<unknown>).apply(resolve));
  }
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  process.stdout.write(JSON.stringify({ resources, outputs }));
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
