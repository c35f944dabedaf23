// The guide end to end on one zone: Postfix sending from loopback only,
// OpenDKIM signing each domain, opportunistic DANE client TLS, and SPF,
// DKIM, ADSP, DMARC and the host's A record at Cloudflare.
//
//   pulumi config set host 203.0.113.25
//   pulumi config set hostKeyFingerprint SHA256:...   # ssh-keyscan -t ed25519 HOST | ssh-keygen -lf -
//   pulumi config set --secret sshPrivateKey < ~/.ssh/id_ed25519
//   pulumi config set hostname mx.example.com
//   pulumi config set rootAlias ops@example.com
//   pulumi config set --path 'domains[0].domain' example.com
//   pulumi config set --path 'domains[0].cloudflareZoneId' 0123456789abcdef0123456789abcdef
//   pulumi config set --path 'domains[0].dmarc.p' reject           # optional: DMARC p= (default none)
//   pulumi config set --path 'domains[0].dmarc.rua[0]' mailto:dmarc@example.com
//   pulumi config set --secret cloudflare:apiToken ...
//   pulumi config set profile linux                   # optional: an lx zone or Debian host
//   pulumi config set --path archive.retentionDays 1096  # optional: the guide's local archive
//   pulumi config set --path logReport.reportTo root    # optional: the daily pflogsumm report
import * as pulumi from "@pulumi/pulumi";
import {
  type MailArchiveArgs,
  type MailLogReportArgs,
  type PlatformName,
  type SendingDomainArgs,
  SendOnlyMailServer,
} from "@smartos-mail/pulumi";

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
  domains: config.requireObject<SendingDomainArgs[]>("domains"),
  archive: config.getObject<Omit<MailArchiveArgs, "connection" | "profile">>("archive"),
  logReport: config.getObject<Omit<MailLogReportArgs, "connection" | "profile">>("logReport"),
});

/** The DKIM records published, `selector._domainkey.domain` → value. */
export const dkimRecords = server.dkimRecords;
/** Each domain's records in BIND zone-file form. */
export const zoneFiles = server.zoneFiles;
/** The PTR record to ask your network owner for (forward-confirmed reverse DNS). */
export const ptrRequests = server.ptrRequests;
