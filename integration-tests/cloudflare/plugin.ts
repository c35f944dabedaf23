/**
 * EMULATOR — not Cloudflare's provider plugin. The real `pulumi-resource-cloudflare` cannot be built here: the
 * Go module proxy refuses `github.com/pulumi/pulumi-cloudflare/provider/v6` (403 at every version asked, among
 * them the v6.22.1 that `@pulumi/cloudflare` pins) and GitHub cannot be reached for the upstream Terraform
 * provider it wraps. This is the plugin the real Pulumi engine starts in its place, found on PATH as any
 * ambient plugin is (the engine warns "using pulumi-resource-cloudflare from $PATH"): a gRPC ResourceProvider
 * served by the Node.js SDK's `provider.main`, answering for `cloudflare:index/dnsRecord:DnsRecord` with
 * the records emulator of ./records.ts (its header cites the API it follows), and for the data sources
 * `getZone` and `getDnsRecords` with ./data-sources.ts. The zones and records live in the account file
 * `SMARTOS_MAIL_CLOUDFLARE_RECORDS` names, which the test harness seeds and sets per stack and reads back as
 * zone files. Provider configuration (`cloudflare:apiToken`) is accepted and not used:
 * CheckConfig and DiffConfig answer "unimplemented", which the engine takes as "the config is fine".
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as provider from "@pulumi/pulumi/provider";
import { loadAccount } from "./account";
import { GET_DNS_RECORDS, GET_ZONE, getDnsRecords, getZone } from "./data-sources";
import { CLOUDFLARE_DNS_RECORD, CloudflareRecords } from "./records";

/** The version of `@pulumi/cloudflare` the library depends on: the plugin version its resources ask for. */
function sdkVersion(): string {
  // The library's main module is dist/index.js: its package directory is two levels up.
  const library = path.dirname(path.dirname(require.resolve("@smartos-mail/pulumi")));
  const manifest = require.resolve("@pulumi/cloudflare/package.json", { paths: [library] });
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

function recordsFile(): string {
  const file = process.env.SMARTOS_MAIL_CLOUDFLARE_RECORDS;
  if (!file) throw new Error("SMARTOS_MAIL_CLOUDFLARE_RECORDS is not set: the test harness names the records file");
  return file;
}

/** Refuses what the real plugin would not know: this emulator has one resource type. */
function dnsRecords(urn: string): CloudflareRecords {
  const type = urn.split("::")[2]?.split("$").pop();
  if (type !== CLOUDFLARE_DNS_RECORD) throw new Error(`the Cloudflare emulator has no resource type ${type}`);
  // Read the file on every call: the engine may call from one plugin process across a whole operation.
  return new CloudflareRecords(recordsFile());
}

const cloudflare: provider.Provider = {
  version: sdkVersion(),
  check: async (urn, _olds, news) => dnsRecords(urn).check(news),
  diff: async (_id, urn, olds, news) => dnsRecords(urn).diff(olds, news),
  create: async (urn, inputs) => dnsRecords(urn).create(inputs),
  read: async (id, urn, props) => dnsRecords(urn).read(id, props),
  update: async (id, urn, _olds, news) => dnsRecords(urn).update(id, news),
  delete: async (id, urn) => dnsRecords(urn).delete(id),
  invoke: async (token, inputs) => {
    const account = loadAccount(recordsFile());
    if (token === GET_ZONE) return { outputs: getZone(account, inputs) };
    if (token === GET_DNS_RECORDS) return { outputs: getDnsRecords(account, inputs) };
    throw new Error(`the Cloudflare emulator has no function ${token}`);
  },
};

provider.main(cloudflare, process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
