import { readFileSync } from "node:fs";
import * as path from "node:path";
import { zoneIdOf } from "./cloudflare-zones";
import { freshStack } from "./fixtures";
import type { ConfigEntry, PulumiStack, PulumiStackOptions } from "./pulumi-stack";
import type { TestbedHost } from "./testbed";

/** The repository's examples/ directory. */
export const EXAMPLES_DIR = path.resolve(__dirname, "..", "..", "..", "examples");

/**
 * A shell command printing what the examples change on a host (Postfix's main.cf and master.cf, the
 * aliases, OpenDKIM's keys and configuration, root's crontab, /etc/postfix's files): their destroy must
 * leave its output as it was before their first `up`.
 */
export const EXAMPLE_HOST_STATE = [
  "postconf -n",
  "postconf -M",
  "cat /etc/aliases",
  "ls -R /etc/opendkim 2>/dev/null",
  "cat /var/db/opendkim/SigningTable 2>/dev/null",
  "cat /etc/opendkim.conf 2>/dev/null",
  "crontab -l 2>/dev/null",
  "ls /etc/postfix",
].join("; echo ---; ");

/** An example's project name, from its Pulumi.yaml: the namespace of its config keys. */
export function projectOf(example: string): string {
  const yaml = readFileSync(path.join(EXAMPLES_DIR, example, "Pulumi.yaml"), "utf8");
  const name = /^name:\s*(\S+)\s*$/m.exec(yaml)?.[1];
  if (!name) throw new Error(`examples/${example}/Pulumi.yaml has no name`);
  return name;
}

/**
 * The program of `examples/<example>` (its compiled index.js), as the engine runs it: loaded afresh
 * on each operation, so that each one registers its resources again. Its exports become the stack's
 * outputs (run it with `{ exports: true }`). `examplesDir`: another release's built examples.
 */
export function exampleProgram(example: string, examplesDir = EXAMPLES_DIR): () => Record<string, unknown> {
  const main = path.join(examplesDir, example, "dist", "index.js");
  return () => {
    delete require.cache[require.resolve(main)];
    return require(main) as Record<string, unknown>;
  };
}

/**
 * A fresh stack for `examples/<example>` in `.test-output/<name>`, under the example's own project
 * name. The CLI language host for Node.js (`pulumi-language-nodejs`) cannot be built here (the Go
 * module proxy refuses its module), so the program runs inline through the Automation API rather
 * than from its directory: the engine, the plugins, config and state are the CLI's own.
 */
export function exampleStack(
  example: string,
  name: string,
  options: Omit<PulumiStackOptions, "dir" | "project"> = {},
): PulumiStack {
  return freshStack(name, { ...options, project: projectOf(example) });
}

/** The Cloudflare zone every example publishes to, in the emulated account (seed it with `zonesOf("example.smtb")`). */
export const EXAMPLE_ZONE_ID = zoneIdOf("example.smtb");

/** The configuration each example's header documents, set as `pulumi config set` would, for a testbed host. */
export function exampleConfig(example: string, h: TestbedHost): ConfigEntry[] {
  const common: ConfigEntry[] = [
    { key: "host", value: h.host },
    { key: "hostKeyFingerprint", value: h.hostKeyFingerprint },
    { key: "sshPrivateKey", value: h.privateKey, secret: true },
    { key: "profile", value: "linux" },
    { key: "hostname", value: "mx.example.smtb" },
    { key: "rootAlias", value: "ops@example.smtb" },
    { key: "cloudflare:apiToken", value: "emulated-cloudflare-api-token", secret: true },
  ];
  switch (example) {
    case "send-only":
      return [
        ...common,
        { key: "domains[0].domain", value: "example.smtb", path: true },
        { key: "domains[0].cloudflareZoneId", value: EXAMPLE_ZONE_ID, path: true },
        { key: "archive.retentionDays", value: "1096", path: true },
        { key: "logReport.reportTo", value: "root", path: true },
      ];
    case "authenticated-relay":
      return [
        ...common,
        { key: "domain", value: "example.smtb" },
        { key: "cloudflareZoneId", value: EXAMPLE_ZONE_ID },
        { key: "relayHost", value: "smtp.relay.smtb" },
        { key: "relayPort", value: "587" },
        { key: "relayUsername", value: "mailer" },
        { key: "relayPassword", value: "examples-relay-password", secret: true },
        { key: "relaySpfInclude", value: "_spf.relay.smtb" },
      ];
    default:
      return [
        ...common,
        { key: "domain", value: "example.smtb" },
        { key: "cloudflareZoneId", value: EXAMPLE_ZONE_ID },
        { key: "warmupStart", value: "2026-12-01" },
      ];
  }
}
