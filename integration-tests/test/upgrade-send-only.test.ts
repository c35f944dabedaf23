import assert from "node:assert/strict";
import { EXAMPLE_HOST_STATE } from "../harness/example-stack";
import { hostShell } from "../harness/testbed";
import { upgradeProgram } from "../upgrade/programs";
import { upgradeSuite } from "../upgrade/upgrade-suite";

const HOST = { name: "upsend", index: 120 } as const;

// examples/send-only as a user applies it (SendOnlyMailServer: PostfixConfig, OpenDkimKey, DnsAuthRecords,
// MailArchive to a remote address, MailLogReport), made by the release and carried on by HEAD.
upgradeSuite({
  program: "send-only",
  hosts: [{ ...HOST, state: EXAMPLE_HOST_STATE }],
  config: ([h]) => [
    { key: "host", value: h.host },
    { key: "hostKeyFingerprint", value: h.hostKeyFingerprint },
    { key: "sshPrivateKey", value: h.privateKey, secret: true },
    { key: "profile", value: "linux" },
    { key: "hostname", value: "mx.example.smtb" },
    { key: "rootAlias", value: "ops@example.smtb" },
    { key: "cloudflare:apiToken", value: "emulated-cloudflare-api-token", secret: true },
    { key: "domains[0].domain", value: "example.smtb", path: true },
    { key: "domains[0].cloudflareZoneId", value: "zone-example", path: true },
    { key: "domains[0].dmarc.p", value: "reject", path: true },
    { key: "archive.remoteAddress", value: "archive@archiver.smtb", path: true },
    { key: "logReport.reportTo", value: "root", path: true },
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
