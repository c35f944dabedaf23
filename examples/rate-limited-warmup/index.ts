// The guide's "Message Rate Limiting" for a new IP address: default limits,
// a gentle transport for providers that throttle new senders, and a warm-up
// schedule for the default rate delay that steps down each day `pulumi up`
// runs (schedule it daily in CI). The zone is reached as in send-only.
//
//   pulumi config set host 203.0.113.25
//   pulumi config set hostKeyFingerprint SHA256:...
//   pulumi config set --secret sshPrivateKey < ~/.ssh/id_ed25519
//   pulumi config set hostname mx.example.com
//   pulumi config set rootAlias ops@example.com
//   pulumi config set domain example.com
//   pulumi config set cloudflareZoneId 0123456789abcdef0123456789abcdef
//   pulumi config set warmupStart 2026-12-01
//   pulumi config set --path 'gentleDomains[0]' yahoo.com     # optional, these are the defaults
import * as pulumi from "@pulumi/pulumi";
import { type PlatformName, SendOnlyMailServer } from "@smartos-mail/pulumi";

const config = new pulumi.Config();

const server = new SendOnlyMailServer("mail", {
  connection: {
    host: config.require("host"),
    privateKey: config.requireSecret("sshPrivateKey"),
    hostKeyFingerprint: config.require("hostKeyFingerprint"),
  },
  profile: (config.get("profile") ?? "smartos") as PlatformName,
  hostname: config.require("hostname"),
  publicIpv4: [config.get("publicIp") ?? config.require("host")],
  rootAlias: config.require("rootAlias"),
  domains: [{ domain: config.require("domain"), cloudflareZoneId: config.require("cloudflareZoneId") }],
  rateLimits: {
    defaults: {
      recipientLimit: 20,
      warmup: {
        start: config.require("warmupStart"),
        rateDelays: ["300s", "240s", "180s", "120s", "60s", "30s", "10s", "1s"],
      },
    },
    transports: [
      {
        name: "smtp-nice",
        recipientLimit: 10,
        rateDelay: "60s",
        domains: config.getObject<string[]>("gentleDomains") ?? ["yahoo.com", "aol.com"],
      },
    ],
  },
});

/** The zone-file form of the published records. */
export const zoneFiles = server.zoneFiles;
