/**
 * The upgrade tests' "kitchen-sink" program: every resource kind with every optional input field set, with
 * the API both the baseline release and HEAD have, so that a field whose stored form HEAD cannot read shows
 * (an unset field is no evidence). PostfixConfig, OpenDkimKey, RateLimitTransport, InboundSmtpFirewall,
 * MailArchive and MailLogReport on a Debian testbed host; SmartOsZone and ZoneDatasets on a SmartOS
 * personality host. Its hosts come from the stack's config, and every connection authenticates with an
 * SSH agent, so state holds no private key.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as Library from "@smartos-mail/pulumi";

/** The stack's project: the namespace of the config keys below. */
export const KITCHEN_SINK_PROJECT = "smartos-mail-upgrade-kitchen-sink";

/** The config keys the program reads. */
export interface KitchenSinkConfig {
  /** The Debian host's address and host key fingerprint. */
  debianHost: string;
  debianFingerprint: string;
  /** The SmartOS global zone's address and host key fingerprint (its zones answer with the same key). */
  smartosHost: string;
  smartosFingerprint: string;
  /** The SSH agent that holds the testbed client's key. */
  agentSocket: string;
  /** The zone's address on the testbed network. */
  zoneIp: string;
}

/** The guide's sending volume: the capacity plan needs about 28.3 GB of zone. */
const PLAN = { sentGbPerMonth: 5, monthlyGrowth: 1.1 };
/** The zone's image: imgadm imports it on create, and it stays imported (as on SmartOS) after the zone goes. */
export const GUIDE_IMAGE = "088b97b0-e1a1-11e5-b895-9baa2086eb33";

/** The mail dataset's quota; the edited program's one change (a ZoneDatasets update in place). */
export const MAIL_QUOTA = { recorded: 970, edited: 980 };

/**
 * The program, on the library `lib` (the baseline release's or HEAD's: the same code declares both);
 * `edited` is the one mutable change the upgrade test applies after the upgrade.
 */
export function kitchenSink(lib: typeof Library, edited = false): () => pulumi.Resource[] {
  return () => {
    const config = new pulumi.Config(KITCHEN_SINK_PROJECT);
    const get = (key: keyof KitchenSinkConfig) => config.require(key);
    const agentSocket = get("agentSocket");
    const debian = { host: get("debianHost"), hostKeyFingerprint: get("debianFingerprint"), agentSocket };
    const globalZone = { host: get("smartosHost"), hostKeyFingerprint: get("smartosFingerprint"), agentSocket };
    const linux = { connection: { ...debian, port: 22, user: "root" }, profile: "linux" as const };
    const zone = new lib.SmartOsZone("ks-zone", {
      connection: globalZone,
      // Every manifest field a joyent zone takes (kernel_version is lx's).
      manifest: {
        alias: "kitchen.mx1",
        hostname: "kitchen-mx1",
        brand: "joyent",
        image_uuid: GUIDE_IMAGE,
        max_physical_memory: 1024,
        max_locked_memory: 1024,
        max_swap: 2048,
        max_lwps: 2000,
        cpu_cap: 200,
        cpu_shares: 100,
        zfs_io_priority: 100,
        quota: 1000,
        tmpfs: 512,
        delegate_dataset: true,
        dns_domain: "kitchen.smtb",
        nics: [
          {
            nic_tag: "external",
            ips: [`${get("zoneIp")}/24`],
            gateways: ["198.18.0.1"],
            primary: true,
            mtu: 1500,
            allow_ip_spoofing: false,
          },
        ],
        resolvers: ["198.18.0.1"],
        maintain_resolvers: true,
        customer_metadata: { "kitchen-role": "mx" },
        internal_metadata: { "kitchen:owner": "ops" },
        tags: { role: "mx", tier: 1, managed: true },
        autoboot: true,
        firewall_enabled: true,
        limit_priv: "default",
        fs_allowed: "ufs,pcfs",
        owner_uuid: "930896af-bf8c-48d4-885c-6573a94b1853",
        billing_id: "73a1ca34-1e30-48c7-8681-70314a9c67d3",
        package_name: "kitchen-1g",
        package_version: "1.0.0",
        zfs_root_compression: "lz4",
        zfs_data_compression: "lz4",
      },
      capacityPlan: PLAN,
      rebootForChanges: true,
      readinessPort: 22,
      firewallAllowsSsh: true,
    });
    return [
      new lib.PostfixConfig("ks-postfix", {
        ...linux,
        myhostname: "mx.kitchen.smtb",
        mydomain: "kitchen.smtb",
        myorigin: "$mydomain",
        mynetworks: ["127.0.0.0/8", "[::1]/128"],
        inetInterfaces: ["loopback-only"],
        relayhost: { host: "smtp.relay.smtb", port: 587, mxLookup: false },
        saslRelay: {
          username: "kitchen",
          password: "kitchen-sink-relay-password",
          securityOptions: ["noanonymous"],
          requireTls: true,
        },
        clientTls: { securityLevel: "encrypt", dnsSupportLevel: "enabled" },
        rootAlias: "ops@kitchen.smtb",
        parameters: { smtpd_banner: "$myhostname ESMTP kitchen" },
        allowOpenRelay: true,
        openRelayReason: "the upgrade test sets every field; it listens on loopback only",
      }),
      new lib.OpenDkimKey("ks-dkim", {
        ...linux,
        domain: "kitchen.smtb",
        selector: "ks2026",
        bits: 2048,
        signing: true,
        requirePublished: false,
        trustedHosts: ["10.1.0.0/16"],
      }),
      new lib.RateLimitTransport("ks-rate", {
        ...linux,
        defaults: { recipientLimit: 20, rateDelay: "1s" },
        transports: [
          {
            name: "smtp-ks",
            recipientLimit: 10,
            warmup: { start: "2026-12-01", rateDelays: ["300s", "60s"], daysPerStep: 2 },
            concurrencyLimit: 2,
            domains: ["kitchen-dest.smtb"],
          },
        ],
        today: "2026-12-03",
      }),
      new lib.InboundSmtpFirewall("ks-firewall", { ...linux, interface: "eth0", ports: [25, 465] }),
      new lib.MailArchive("ks-archive", {
        ...linux,
        address: "ksarchive@localhost",
        directory: "/var/mail/ks-archive",
        retentionDays: 30,
        holdFile: "/var/mail/ks-archive/hold",
        scriptPath: "/root/scripts/ks_rotate.sh",
        schedule: "30 1 * * *",
      }),
      new lib.MailLogReport("ks-log-report", {
        ...linux,
        reportTo: "ops@kitchen.smtb",
        logFile: "/var/log/mail.log",
        hour: 3,
        minute: 20,
        day: "today",
      }),
      zone,
      new lib.ZoneDatasets("ks-datasets", {
        connection: { ...globalZone, host: zone.primaryIp.apply((ip) => ip ?? "") },
        zoneUuid: zone.uuid,
        mailQuota: edited ? MAIL_QUOTA.edited : MAIL_QUOTA.recorded,
        spoolQuota: 10,
        zoneQuota: 1000,
        capacityPlan: PLAN,
      }),
    ];
  };
}
