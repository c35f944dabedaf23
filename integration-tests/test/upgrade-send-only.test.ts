import assert from "node:assert/strict";
import { zonesOf } from "../harness/cloudflare-zones";
import { EXAMPLE_HOST_STATE, exampleConfig } from "../harness/example-stack";
import { hostShell } from "../harness/testbed";
import { upgradeProgram } from "../upgrade/programs";
import { upgradeSuite } from "../upgrade/upgrade-suite";

const HOST = { name: "upsend", index: 120 } as const;

// examples/send-only as a user applies it (SendOnlyMailServer: PostfixConfig, OpenDkimKey, DnsAuthRecords,
// MailArchive to a remote address, MailLogReport), made by the release and carried on by HEAD.
upgradeSuite({
  program: "send-only",
  hosts: [{ ...HOST, state: EXAMPLE_HOST_STATE }],
  cloudflareZones: zonesOf("example.smtb"),
  // The example's documented config, with a remote archive (the kitchen sink has the local one) and DMARC p=reject.
  config: ([h]) => [
    ...exampleConfig("send-only", h).filter((e) => e.key !== "archive.retentionDays"),
    { key: "domains[0].dmarc.p", value: "reject", path: true },
    { key: "archive.remoteAddress", value: "archive@archiver.smtb", path: true },
  ],
  edit: {
    resource: "mail-postfix",
    make: async (stack) => {
      await stack.configure([{ key: "rootAlias", value: "postmaster@example.smtb" }]);
      return upgradeProgram("send-only");
    },
    applied: () => assert.match(hostShell(HOST.name, "cat /etc/aliases").stdout, /^root: postmaster@example\.smtb$/m),
  },
});
