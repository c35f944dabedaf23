// The guide's "Using an Authenticated Relay Service": every message goes to
// an ESP's submission port with SASL, over required TLS (the password never
// crosses in clear), still signed with DKIM. SPF names the relay's senders.
//
//   pulumi config set host 203.0.113.25
//   pulumi config set hostKeyFingerprint SHA256:...
//   pulumi config set --secret sshPrivateKey < ~/.ssh/id_ed25519
//   pulumi config set hostname mx.example.com
//   pulumi config set rootAlias ops@example.com
//   pulumi config set domain example.com
//   pulumi config set cloudflareZoneId 0123456789abcdef0123456789abcdef
//   pulumi config set relayHost smtp.example.net
//   pulumi config set relayPort 587
//   pulumi config set relayUsername mailer
//   pulumi config set --secret relayPassword '...'
//   pulumi config set relaySpfInclude _spf.example.net   # the ESP's SPF include
//   pulumi config set --secret cloudflare:apiToken ...
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
  rootAlias: config.require("rootAlias"),
  relay: {
    host: config.require("relayHost"),
    port: config.getNumber("relayPort") ?? 587,
    username: config.require("relayUsername"),
    password: config.requireSecret("relayPassword"),
  },
  domains: [
    {
      domain: config.require("domain"),
      cloudflareZoneId: config.require("cloudflareZoneId"),
      spf: [{ type: "include", domain: config.require("relaySpfInclude") }, { type: "all" }],
      dmarc: { p: "quarantine", rua: [`mailto:dmarc@${config.require("domain")}`] },
    },
  ],
});

/** The main.cf values found on the host after applying (the relay's password is not among them). */
export const mainCf = server.mainCf;
/** The DKIM record to check at the relay's domain-verification page too. */
export const dkimRecords = server.dkimRecords;
