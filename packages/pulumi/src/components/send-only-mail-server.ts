import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { Dmarc } from "../dns/dmarc";
import type { SpfMechanismInput } from "../dns/spf";
import type { capacityPlanSchema } from "../plan/capacity";
import { relayFindings } from "../postfix/relay-safety";
import type { TlsSecurityLevel } from "../postfix/typed-fields";
import type { ConnectionArgs } from "../remote/connection";
import type { PlatformName } from "../remote/platform";
import { InboundSmtpFirewall } from "../resources/inbound-smtp-firewall";
import { MailArchive, type MailArchiveArgs } from "../resources/mail-archive";
import { MailLogReport, type MailLogReportArgs } from "../resources/mail-log-report";
import { OpenDkimKey } from "../resources/opendkim-key";
import { PostfixConfig } from "../resources/postfix-config";
import { RateLimitTransport, type RateLimitTransportArgs } from "../resources/rate-limit-transport";
import { SmartOsZone, type ZoneManifestArgs, type ZoneSshArgs } from "../resources/smartos-zone";
import { ZoneDatasets } from "../resources/zone-datasets";
import { DnsAuthRecords } from "./dns-auth-records";

/** One domain the server sends for: its DKIM key and its DNS records at Cloudflare. */
export interface SendingDomainArgs {
  /** The domain in From:, e.g. `example.com`. */
  domain: string;
  /** Cloudflare zone id of the domain; its SPF, DKIM, ADSP, DMARC (and the host's A) records go there. */
  cloudflareZoneId: pulumi.Input<string>;
  /** DKIM selector. Default `default`, as in the guide. */
  selector?: string;
  /** SPF mechanisms. Default: the server's public addresses, then `-all`, as the guide recommends. */
  spf?: SpfMechanismInput[];
  /** DMARC tags. Default `p=none` with `rua=mailto:postmaster@<domain>`, as the guide starts. */
  dmarc?: Partial<Dmarc>;
  /** ADSP (`_adsp._domainkey`). Default `all`, as the guide; RFC 5617 is Historic, `false` publishes none. */
  adsp?: "unknown" | "all" | "discardable" | false;
  /**
   * SPF or DMARC records already in the zone for the stack to take over, by record id (`{ spf: "<id>" }`), where
   * preview would otherwise refuse them as a second one; `hostSpf` is an SPF record at `hostname`. See
   * DnsAuthRecords' `adopt`.
   */
  adopt?: { spf?: string; dmarc?: string; hostSpf?: string };
}

/** An authenticated (or plain) relay all mail goes through, from the guide's "Using a Relay Service". */
export interface RelayArgs {
  /** Relay host name or address, e.g. `smtp.example.net`. */
  host: pulumi.Input<string>;
  /** Port. Default: Postfix's (25). */
  port?: pulumi.Input<number>;
  /** SASL user name, with `password`. */
  username?: pulumi.Input<string>;
  /** SASL password (kept as a secret). */
  password?: pulumi.Input<string>;
}

/** A SmartOS zone made for the server (the guide's "SmartOS Zone Configuration"), with its delegated datasets. */
export interface ServerZoneArgs {
  /** How to reach the SmartOS global zone that runs vmadm, with its pinned host key. */
  globalZone: ConnectionArgs;
  /** The zone's vmadm manifest; give it `delegate_dataset: true` for the datasets. */
  manifest: pulumi.Input<ZoneManifestArgs>;
  /** How to log in to the zone once it runs (its host key fingerprint, address, key). */
  ssh: ZoneSshArgs;
  /** The guide's storage model: checks the zone quota and gives the datasets' quotas. Default: none. */
  capacityPlan?: pulumi.Input<z.input<typeof capacityPlanSchema>>;
  /**
   * The guide's delegated datasets for /var/mail and /var/spool/postfix (GiB quotas; default from
   * `capacityPlan`, which is then required). `false`: none. Default: made, from the plan.
   */
  datasets?: { mailQuota?: pulumi.Input<number>; spoolQuota?: pulumi.Input<number> } | false;
}

/** Arguments of {@link SendOnlyMailServer}. */
export interface SendOnlyMailServerArgs {
  /** How to reach an existing host (or zone) running Postfix, with its pinned host key. Give this or `zone`. */
  connection?: ConnectionArgs;
  /** Make a SmartOS zone for the server and configure it through `zone.ssh`. Give this or `connection`. */
  zone?: ServerZoneArgs;
  /** Host flavour: `smartos` (pkgsrc, SMF, ipfilter; default) or `linux` (Debian/Ubuntu, also lx zones). */
  profile?: PlatformName;
  /** Postfix's myhostname, a name in a sending domain, e.g. `mx.example.com`. Gets A/AAAA records. */
  hostname: string;
  /** Public IPv4 addresses mail leaves from: SPF, the A records and the PTR requests use them. */
  publicIpv4?: string[];
  /** Public IPv6 addresses mail leaves from. */
  publicIpv6?: string[];
  /** Where root's and postmaster's mail goes (the guide's `root:` alias). */
  rootAlias: pulumi.Input<string>;
  /** The domains the server signs and publishes records for. The first is `mydomain`. */
  domains: SendingDomainArgs[];
  /** Relay all mail through this host instead of delivering it directly. */
  relay?: RelayArgs;
  /**
   * Networks the server relays for without authentication (added to mynetworks), e.g. `["10.0.0.0/24"]`.
   * With any, Postfix listens on all interfaces and inbound port 25 is closed on `publicInterface`
   * (the guide's "Providing Unauthenticated Relay Service"). Default none: Postfix listens on loopback only.
   */
  relayNetworks?: string[];
  /**
   * DANGEROUS: let `relayNetworks` cover the internet (PostfixConfig's `allowOpenRelay`). An open relay is
   * found by spammers within hours and gets the host blocklisted; by default a `relayNetworks` that covers
   * every address, or a block larger than any operator's own (an IPv4 /8, an IPv6 /16), is refused at preview.
   * Needs `openRelayReason`.
   */
  allowOpenRelay?: boolean;
  /** Why the server must relay for anyone (required with `allowOpenRelay`). */
  openRelayReason?: string;
  /** The public interface the firewall closes when `relayNetworks` is set. Default `net0` (SmartOS), `eth0` (Linux). */
  publicInterface?: string;
  /**
   * `smtp_tls_security_level`. Default `dane` with `smtp_dns_support_level=dnssec`, the guide's Postfix
   * TLS section (opportunistic DANE: plain `may` TLS where a destination publishes no TLSA records).
   * With an authenticated relay the default is `encrypt`, so the password never crosses in clear.
   */
  tlsSecurityLevel?: TlsSecurityLevel;
  /** Rate limits and warm-up (the guide's "Message Rate Limiting"). Default: none. */
  rateLimits?: Omit<RateLimitTransportArgs, "connection" | "profile">;
  /** Reverse zone of the public addresses at Cloudflare, if yours; else `ptrRequests` says what to ask for. */
  ptrZone?: string;
  /** Cloudflare zone id of `ptrZone`. */
  ptrZoneId?: pulumi.Input<string>;
  /** The guide's mail archive (always_bcc, the mbox, daily rotation and retention). `{}`: the guide's defaults. Default: none. */
  archive?: Omit<MailArchiveArgs, "connection" | "profile">;
  /** The guide's daily pflogsumm report. `{}`: mailed to root after midnight. Default: none. */
  logReport?: Omit<MailLogReportArgs, "connection" | "profile">;
}

/**
 * The whole guide on one host: optionally the SmartOS zone and its delegated
 * datasets, Postfix basics (and relay), OpenDKIM signing for each domain, the
 * DNS records each domain needs at Cloudflare, client TLS, optional rate
 * limits, archive and daily log report and, when Postfix relays for a
 * network, the inbound port 25 firewall. Outputs the main.cf values, the DKIM records,
 * zone files and what to ask the network owner for (PTR).
 */
export class SendOnlyMailServer extends pulumi.ComponentResource {
  /** The main.cf values PostfixConfig found after applying. */
  readonly mainCf: pulumi.Output<Record<string, string | null>>;
  /** Each domain's DKIM TXT record, `selector._domainkey.domain` → value. */
  readonly dkimRecords: pulumi.Output<Record<string, string>>;
  /** Each domain's records as BIND zone-file lines, by domain. */
  readonly zoneFiles: pulumi.Output<Record<string, string>>;
  /** PTR records to ask the network owner for, when the reverse zone is not at Cloudflare. */
  readonly ptrRequests: pulumi.Output<string[]>;

  /**
   * @param name the component name; children are named `<name>-postfix`, `<name>-dkim-<domain>`, ...
   * @param args the server; see {@link SendOnlyMailServerArgs}.
   * @param opts component options.
   */
  constructor(name: string, args: SendOnlyMailServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("smartos-mail:server:SendOnlyMailServer", name, {}, opts);
    if (args.domains.length === 0) {
      throw new Error(`SendOnlyMailServer ${name}: domains: list at least one sending domain`);
    }
    const { profile = "smartos", relay } = args;
    const { connection, hostReady } = serverHost(name, args, this);
    const relaying = (args.relayNetworks ?? []).length > 0;
    const mynetworks = ["$myhostname", "127.0.0.0/8", "[::1]/128", ...(args.relayNetworks ?? [])];
    const [openRelay] = relaying ? relayFindings({ inet_interfaces: "all", mynetworks: mynetworks.join(", ") }) : [];
    if (openRelay && !args.allowOpenRelay) {
      throw new Error(`SendOnlyMailServer ${name}: relayNetworks: ${openRelay.message}`);
    }
    const authenticated = relay?.username !== undefined && relay.password !== undefined;
    const tlsLevel = args.tlsSecurityLevel ?? (authenticated ? "encrypt" : "dane");
    const postfix = new PostfixConfig(
      `${name}-postfix`,
      {
        connection,
        profile,
        myhostname: args.hostname,
        mydomain: args.domains[0].domain,
        // The mail the host sends itself (root's, cron's, the daily report) is addressed from and to
        // <user>@$myhostname whatever the platform's default (Debian's /etc/mailname), and delivered here,
        // through the root alias. Not $mydomain (the guide's note): mail to root@<domain> would leave the host
        // for the domain's MX instead of reaching the alias.
        myorigin: "$myhostname",
        parameters: { mydestination: LOCAL_DESTINATIONS },
        mynetworks,
        inetInterfaces: relaying ? ["all"] : ["loopback-only"],
        allowOpenRelay: args.allowOpenRelay,
        openRelayReason: args.openRelayReason,
        rootAlias: args.rootAlias,
        relayhost: relay ? { host: relay.host, port: relay.port } : undefined,
        saslRelay: authenticated ? { username: relay.username!, password: relay.password! } : undefined,
        // Checked by PostfixConfig's schema, which names the levels it takes.
        clientTls: { securityLevel: tlsLevel },
      },
      { parent: this, dependsOn: hostReady },
    );
    const addresses = { ipv4: args.publicIpv4 ?? [], ipv6: args.publicIpv6 ?? [] };
    const dkimRecords: pulumi.Output<[string, string]>[] = [];
    const zoneFiles: pulumi.Output<[string, string]>[] = [];
    let ptrRequests: pulumi.Output<string[]> = pulumi.output([]);
    // The host's A/AAAA records go into the most specific domain that holds its name: with example.com and
    // news.example.com in one zone, both would publish the same record, which Cloudflare refuses (81058).
    const hostDomain = args.domains
      .map((d) => d.domain)
      .filter((domain) => args.hostname.endsWith(`.${domain}`))
      .sort((a, b) => b.length - a.length)[0];
    args.domains.forEach((d, i) => {
      const selector = d.selector ?? "default";
      // The domain that holds the host name signs the host's own mail (From <user>@hostname) too: aligned
      // under DMARC's relaxed alignment, as its SPF record (DnsAuthRecords' host SPF) is.
      const subdomains = d.domain === hostDomain ? [args.hostname] : undefined;
      const key = new OpenDkimKey(
        `${name}-dkim-${d.domain}`,
        { connection, profile, domain: d.domain, selector, trustedHosts: args.relayNetworks, subdomains },
        { parent: this, dependsOn: postfix },
      );
      const first = i === 0;
      const dns = new DnsAuthRecords(
        `${name}-dns-${d.domain}`,
        {
          domain: d.domain,
          zoneId: d.cloudflareZoneId,
          // The host name's own SPF record, for its HELO and the envelope of the mail it sends itself.
          mailHost:
            d.domain === hostDomain
              ? { name: args.hostname, ...addresses, spf: addresses.ipv4.length + addresses.ipv6.length > 0 }
              : undefined,
          spf: d.spf ? { mechanisms: d.spf } : spfFor(addresses),
          dkim: [{ selector, value: key.dkimRecordValue }],
          adsp: d.adsp,
          dmarc: d.dmarc,
          adopt: d.adopt,
          ...(first && args.ptrZone !== undefined ? { ptrZone: args.ptrZone, ptrZoneId: args.ptrZoneId } : {}),
        },
        { parent: this },
      );
      dkimRecords.push(pulumi.all([key.dkimRecordName, key.dkimRecordValue]));
      zoneFiles.push(dns.zoneFile.apply((z) => [d.domain, z] as [string, string]));
      if (d.domain === hostDomain) ptrRequests = dns.ptrRequests;
    });
    if (args.rateLimits) {
      new RateLimitTransport(
        `${name}-rate`,
        { ...args.rateLimits, connection, profile },
        { parent: this, dependsOn: postfix },
      );
    }
    if (relaying) {
      new InboundSmtpFirewall(
        `${name}-firewall`,
        { connection, profile, interface: args.publicInterface },
        { parent: this, dependsOn: hostReady },
      );
    }
    if (args.archive) {
      new MailArchive(
        `${name}-archive`,
        { ...args.archive, connection, profile },
        { parent: this, dependsOn: postfix },
      );
    }
    if (args.logReport) {
      new MailLogReport(
        `${name}-log-report`,
        { ...args.logReport, connection, profile },
        { parent: this, dependsOn: postfix },
      );
    }
    this.mainCf = postfix.applied;
    this.dkimRecords = pulumi.all(dkimRecords).apply((pairs) => Object.fromEntries(pairs));
    this.zoneFiles = pulumi.all(zoneFiles).apply((pairs) => Object.fromEntries(pairs));
    this.ptrRequests = ptrRequests;
    this.registerOutputs({
      mainCf: this.mainCf,
      dkimRecords: this.dkimRecords,
      zoneFiles: this.zoneFiles,
      ptrRequests: this.ptrRequests,
    });
  }
}

/**
 * `mydestination`: Postfix's own default, the host's names only, set because a distribution's installed value
 * need not hold `$myhostname` (Debian's names /etc/mailname and the machine's name), and without it mail to
 * root@$myhostname would leave the host, and bounce, instead of reaching the root alias.
 */
const LOCAL_DESTINATIONS = "$myhostname, localhost.$mydomain, localhost";

/**
 * Where the server runs: the given host, or a new zone (and its datasets,
 * which must exist before Postfix is configured on them).
 */
function serverHost(
  name: string,
  args: SendOnlyMailServerArgs,
  parent: pulumi.Resource,
): { connection: ConnectionArgs; hostReady: pulumi.Resource[] } {
  if ((args.connection === undefined) === (args.zone === undefined)) {
    throw new Error(
      `SendOnlyMailServer ${name}: give exactly one of connection (an existing host) and zone (a new SmartOS zone)`,
    );
  }
  if (args.connection) return { connection: args.connection, hostReady: [] };
  const { globalZone, manifest, ssh, capacityPlan, datasets = {} } = args.zone!;
  const zone = new SmartOsZone(
    `${name}-zone`,
    { connection: globalZone, manifest, capacityPlan, zoneSsh: ssh },
    { parent },
  );
  const connection = zone.zoneConnection!;
  if (datasets === false) return { connection, hostReady: [zone] };
  const layout = new ZoneDatasets(
    `${name}-datasets`,
    // The zone quota covers the delegated datasets: let ZoneDatasets check they fit in it (vmadm's default is 10 GiB).
    {
      connection,
      zoneUuid: zone.uuid,
      capacityPlan,
      zoneQuota: pulumi.output(manifest).apply((m) => m.quota ?? 10),
      ...datasets,
    },
    { parent, dependsOn: zone },
  );
  return { connection, hostReady: [zone, layout] };
}

/**
 * The guide's SPF: the addresses mail leaves from, then `-all`. Without
 * addresses there is no default, and DnsAuthRecords asks for `spf`.
 */
function spfFor(addresses: { ipv4: string[]; ipv6: string[] }): { mechanisms: SpfMechanismInput[] } | undefined {
  if (addresses.ipv4.length + addresses.ipv6.length === 0) return undefined;
  return {
    mechanisms: [
      ...addresses.ipv4.map((value) => ({ type: "ip4" as const, value })),
      ...addresses.ipv6.map((value) => ({ type: "ip6" as const, value })),
      { type: "all" as const },
    ],
  };
}
