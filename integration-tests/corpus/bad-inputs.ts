/**
 * The bad-input corpus: invalid arguments for every resource, each with the
 * property path `check` must name. The `bad-input-corpus-*.test.ts` files run
 * each entry of a provider resource as its own `pulumi preview` on the real
 * engine (harness/corpus-preview.ts); `bad-input-corpus.test.ts` runs the
 * DnsAuthRecords component's through its constructor under the SDK's mocks.
 *
 * An entry changes one field of its resource's valid base arguments
 * ({@link validBase}); `patch` first adjusts the base where the bad value
 * needs context (a relay for SASL fields, a remote archive, brand lx...).
 */

/** The resources the corpus covers. */
export const CORPUS_RESOURCES = [
  "PostfixConfig",
  "OpenDkimKey",
  "RateLimitTransport",
  "InboundSmtpFirewall",
  "MailArchive",
  "MailLogReport",
  "SmartOsZone",
  "ZoneDatasets",
  "DnsAuthRecords",
] as const;

/** A resource the corpus covers. */
export type CorpusResource = (typeof CORPUS_RESOURCES)[number];

/** Deletes a key when it appears as a value in a patch. */
export const REMOVE: unique symbol = Symbol("remove");

/** A patch over the base arguments: objects merge, anything else replaces, {@link REMOVE} deletes. */
export type Patch = { [key: string]: unknown };

/** One invalid input. */
export interface BadInput {
  /** The resource it is given to. */
  resource: CorpusResource;
  /** The property path check must report, exactly as in the message, e.g. `transports[0].name`. */
  field: string;
  /** The invalid value, set at `field` (or `at`) over the patched base. {@link REMOVE} deletes the field. */
  value: unknown;
  /** What is wrong with it, for the test's messages. */
  why: string;
  /** Where to set the value when that is not `field` (e.g. a record key that is itself the bad value). */
  at?: string;
  /** Applied to the base before the value is set. */
  patch?: Patch;
  /** More text the message must contain: numbers of a capacity problem, the reason a value is refused. */
  mentions?: string[];
  /** The value is a secret: the message must not contain it. */
  secret?: boolean;
}

/** How a test reaches the (never contacted) host: the connection every resource's base uses. */
export interface CorpusConnection {
  host: string;
  port?: number;
  user?: string;
  privateKey?: string;
  hostKeyFingerprint: string;
}

const IMAGE = "088b97b0-e1a1-11e5-b895-9baa2086eb33";
const ZONE = "3f9c0c4e-8b7e-4d2a-9a55-1c2d3e4f5a6b";
const PLAN = { sentGbPerMonth: 5, monthlyGrowth: 1.1 };

/**
 * Valid arguments for each resource, with every field the corpus changes
 * present. The test proves each passes check before it trusts the corpus.
 */
export function validBase(resource: CorpusResource, connection: CorpusConnection): Patch {
  switch (resource) {
    case "PostfixConfig":
      return {
        connection,
        profile: "linux",
        myhostname: "mx.example.com",
        mydomain: "example.com",
        myorigin: "$mydomain",
        mynetworks: ["$myhostname", "127.0.0.0/8", "[::1]/128"],
        inetInterfaces: ["loopback-only"],
        relayhost: { host: "relay.example.net", port: 587 },
        saslRelay: { username: "mailer", password: "corpus-relay-password", securityOptions: ["noanonymous"] },
        clientTls: { securityLevel: "encrypt" },
        rootAlias: "ops@example.com",
        parameters: { smtpd_banner: "$myhostname ESMTP" },
      };
    case "OpenDkimKey":
      return {
        connection,
        profile: "linux",
        domain: "example.com",
        selector: "mail2026",
        ed25519Selector: "ed2026",
        bits: 2048,
        signing: true,
        trustedHosts: ["10.0.0.0/8", "relay.example.com"],
        subdomains: ["mx.example.com"],
      };
    case "RateLimitTransport":
      return {
        connection,
        profile: "linux",
        defaults: { recipientLimit: 20, rateDelay: "1s" },
        transports: [
          { name: "smtp-nice", recipientLimit: 10, rateDelay: "60s", concurrencyLimit: 2, domains: ["yahoo.com"] },
          {
            name: "smtp-warm",
            recipientLimit: 5,
            warmup: { start: "2026-01-01", rateDelays: ["300s", "60s"], daysPerStep: 2 },
            domains: ["gmail.com", ".googlemail.com"],
          },
        ],
        today: "2026-01-02",
      };
    case "InboundSmtpFirewall":
      return { connection, profile: "linux", interface: "eth0", ports: [25, 465] };
    case "MailArchive":
      return {
        connection,
        profile: "linux",
        address: "mailarchive@localhost",
        directory: "/var/mail/archive",
        retentionDays: 1096,
        holdFile: "/var/mail/archive/hold",
        scriptPath: "/root/scripts/mail_rotate.sh",
        schedule: "0 0 * * *",
      };
    case "MailLogReport":
      return {
        connection,
        profile: "linux",
        reportTo: "postmaster@example.com",
        logFile: "/var/log/mail.log",
        hour: 0,
        minute: 10,
        day: "yesterday",
      };
    case "SmartOsZone":
      return {
        connection,
        manifest: {
          alias: "cospix.pdx0.mx1",
          hostname: "cospix-pdx0-mx1",
          brand: "joyent",
          image_uuid: IMAGE,
          max_physical_memory: 1024,
          max_swap: 2048,
          quota: 100,
          delegate_dataset: true,
          dns_domain: "example.com",
          nics: [
            {
              nic_tag: "external",
              ips: ["203.0.113.25/24"],
              gateways: ["203.0.113.1"],
              primary: true,
              mac: "90:b8:d0:12:34:56",
              allowed_ips: ["203.0.113.26"],
            },
          ],
          resolvers: ["8.8.8.8", "8.8.4.4"],
          customer_metadata: { root_authorized_keys: "ssh-ed25519 AAAAC3Nza corpus@example" },
          tags: { role: "mx" },
          limit_priv: "default",
          fs_allowed: "ufs,pcfs,tmpfs",
          package_name: "mx-small",
          owner_uuid: IMAGE,
          zfs_root_compression: "lz4",
        },
        capacityPlan: PLAN,
      };
    case "ZoneDatasets":
      return { connection, zoneUuid: ZONE, mailQuota: 20, spoolQuota: 10, capacityPlan: PLAN };
    case "DnsAuthRecords":
      return {
        domain: "example.com",
        zoneId: "corpus-zone-id",
        ttl: 300,
        mailHost: { name: "mx.example.com", ipv4: ["203.0.113.25"], ipv6: ["2001:db8::25"] },
        spf: {
          mechanisms: [
            { type: "ip4", value: "203.0.113.0/24" },
            { type: "mx", domain: "example.com" },
            { type: "include", domain: "_spf.example.net" },
            { type: "all" },
          ],
        },
        apexTxt: ["site-verification=abc123"],
        dkim: [{ selector: "mail2026", value: "v=DKIM1; k=rsa; p=AAAA", publishUntil: "2030-01-01" }],
        adsp: "all",
        dmarc: { p: "none", rua: ["mailto:dmarc@example.com"], ruf: ["mailto:dmarc@example.com"], fo: ["1"] },
        ptrZone: "113.0.203.in-addr.arpa",
        ptrZoneId: "corpus-ptr-zone-id",
        today: "2026-01-02",
      };
  }
}

// ---------------------------------------------------------------- strings: newlines and shell metacharacters

/**
 * A string field and its valid value in the base. `literal` fields may hold
 * shell metacharacters (they reach the host on stdin or as one quoted word),
 * so only a newline is invalid there.
 */
interface StringField {
  field: string;
  valid: string;
  literal?: boolean;
  secret?: boolean;
  patch?: Patch;
}

const CANARY = "touch /tmp/smartos-mail-pwned";

/** The newline and shell-metacharacter variants of one string field. */
function stringAttacks(resource: CorpusResource, f: StringField): BadInput[] {
  const out: BadInput[] = [
    {
      resource,
      field: f.field,
      value: `${f.valid}\n${CANARY}`,
      why: "a newline would start a second line (main.cf, maps, crontab) or a second command",
      patch: f.patch,
      secret: f.secret,
    },
  ];
  if (!f.literal) {
    out.push(
      {
        resource,
        field: f.field,
        value: `${f.valid};${CANARY}`,
        why: "; is a shell command separator",
        patch: f.patch,
      },
      {
        resource,
        field: f.field,
        value: `${f.valid}$(${CANARY})`,
        why: "$(...) is shell command substitution",
        patch: f.patch,
      },
      {
        resource,
        field: f.field,
        value: `\`${CANARY}\`${f.valid}`,
        why: "backticks are shell command substitution",
        patch: f.patch,
      },
    );
  }
  return out;
}

const CONNECTION_STRINGS: StringField[] = [
  { field: "connection.host", valid: "mx.example.com" },
  { field: "connection.user", valid: "root" },
  { field: "connection.hostKeyFingerprint", valid: `SHA256:${"A".repeat(43)}` },
  { field: "connection.agentSocket", valid: "/run/ssh-agent.sock", literal: true },
];

const REMOTE_ARCHIVE: Patch = {
  address: REMOVE,
  directory: REMOVE,
  retentionDays: REMOVE,
  holdFile: REMOVE,
  scriptPath: REMOVE,
  schedule: REMOVE,
  remoteAddress: "archive@archive.example.net",
};

const STRING_FIELDS: Record<CorpusResource, StringField[]> = {
  PostfixConfig: [
    ...CONNECTION_STRINGS,
    { field: "profile", valid: "linux" },
    { field: "myhostname", valid: "mx.example.com" },
    { field: "mydomain", valid: "example.com" },
    { field: "myorigin", valid: "$mydomain" },
    { field: "mynetworks[1]", valid: "127.0.0.0/8" },
    { field: "inetInterfaces[0]", valid: "loopback-only" },
    { field: "relayhost.host", valid: "relay.example.net" },
    { field: "saslRelay.username", valid: "mailer" },
    { field: "saslRelay.password", valid: "corpus-relay-password", literal: true, secret: true },
    { field: "saslRelay.securityOptions[0]", valid: "noanonymous" },
    { field: "clientTls.securityLevel", valid: "encrypt" },
    {
      field: "clientTls.dnsSupportLevel",
      valid: "dnssec",
      patch: { saslRelay: REMOVE, clientTls: { securityLevel: "dane" } },
    },
    { field: "rootAlias", valid: "ops@example.com" },
    { field: "parameters.smtpd_banner", valid: "$myhostname ESMTP", literal: true },
  ],
  OpenDkimKey: [
    ...CONNECTION_STRINGS.slice(0, 2),
    { field: "profile", valid: "linux" },
    { field: "domain", valid: "example.com" },
    { field: "selector", valid: "mail2026" },
    { field: "ed25519Selector", valid: "ed2026" },
    { field: "trustedHosts[0]", valid: "10.0.0.0/8" },
    { field: "trustedHosts[1]", valid: "relay.example.com" },
    { field: "subdomains[0]", valid: "mx.example.com" },
  ],
  RateLimitTransport: [
    ...CONNECTION_STRINGS.slice(0, 2),
    { field: "profile", valid: "linux" },
    { field: "defaults.rateDelay", valid: "1s" },
    { field: "transports[0].name", valid: "smtp-nice" },
    { field: "transports[0].rateDelay", valid: "60s" },
    { field: "transports[0].domains[0]", valid: "yahoo.com" },
    { field: "transports[1].warmup.start", valid: "2026-01-01" },
    { field: "transports[1].warmup.rateDelays[0]", valid: "300s" },
    { field: "today", valid: "2026-01-02" },
  ],
  InboundSmtpFirewall: [
    ...CONNECTION_STRINGS.slice(0, 2),
    { field: "profile", valid: "linux" },
    { field: "interface", valid: "eth0" },
  ],
  MailArchive: [
    ...CONNECTION_STRINGS.slice(0, 2),
    { field: "profile", valid: "linux" },
    { field: "address", valid: "mailarchive@localhost" },
    { field: "directory", valid: "/var/mail/archive" },
    { field: "holdFile", valid: "/var/mail/archive/hold" },
    { field: "scriptPath", valid: "/root/scripts/mail_rotate.sh" },
    { field: "schedule", valid: "0 0 * * *" },
    { field: "remoteAddress", valid: "archive@archive.example.net", patch: REMOTE_ARCHIVE },
  ],
  MailLogReport: [
    ...CONNECTION_STRINGS.slice(0, 2),
    { field: "profile", valid: "linux" },
    { field: "reportTo", valid: "postmaster@example.com" },
    { field: "reportTo", valid: "root", patch: { reportTo: "root" } },
    { field: "logFile", valid: "/var/log/mail.log" },
    { field: "day", valid: "yesterday" },
  ],
  SmartOsZone: [
    ...CONNECTION_STRINGS.slice(0, 2),
    { field: "manifest.alias", valid: "cospix.pdx0.mx1", literal: true },
    { field: "manifest.hostname", valid: "cospix-pdx0-mx1" },
    { field: "manifest.brand", valid: "joyent" },
    { field: "manifest.image_uuid", valid: IMAGE },
    { field: "manifest.dns_domain", valid: "example.com" },
    { field: "manifest.nics[0].nic_tag", valid: "external" },
    { field: "manifest.nics[0].ips[0]", valid: "203.0.113.25/24" },
    { field: "manifest.nics[0].gateways[0]", valid: "203.0.113.1" },
    { field: "manifest.nics[0].mac", valid: "90:b8:d0:12:34:56" },
    { field: "manifest.nics[0].allowed_ips[0]", valid: "203.0.113.26" },
    { field: "manifest.resolvers[0]", valid: "8.8.8.8" },
    { field: "manifest.limit_priv", valid: "default", literal: true },
    { field: "manifest.fs_allowed", valid: "ufs,pcfs,tmpfs" },
    { field: "manifest.package_name", valid: "mx-small", literal: true },
    { field: "manifest.owner_uuid", valid: IMAGE },
    { field: "manifest.zfs_root_compression", valid: "lz4" },
    { field: "manifest.kernel_version", valid: "4.3.0", patch: { manifest: { brand: "lx" } } },
  ],
  ZoneDatasets: [...CONNECTION_STRINGS.slice(0, 2), { field: "zoneUuid", valid: ZONE }],
  DnsAuthRecords: [
    { field: "domain", valid: "example.com" },
    { field: "mailHost.name", valid: "mx.example.com" },
    { field: "mailHost.ipv4[0]", valid: "203.0.113.25" },
    { field: "mailHost.ipv6[0]", valid: "2001:db8::25" },
    { field: "spf.mechanisms[0].value", valid: "203.0.113.0/24" },
    { field: "spf.mechanisms[2].domain", valid: "_spf.example.net" },
    { field: "apexTxt[0]", valid: "site-verification=abc123", literal: true },
    { field: "dkim[0].selector", valid: "mail2026" },
    { field: "dkim[0].publishUntil", valid: "2030-01-01" },
    { field: "adsp", valid: "all" },
    { field: "dmarc.p", valid: "none" },
    { field: "dmarc.rua[0]", valid: "mailto:dmarc@example.com" },
    { field: "dmarc.ruf[0]", valid: "mailto:dmarc@example.com" },
    { field: "ptrZone", valid: "113.0.203.in-addr.arpa" },
    { field: "today", valid: "2026-01-02" },
  ],
};

// ---------------------------------------------------------------- values each field's own rules refuse

type Semantic = Omit<BadInput, "resource">;

const long = (n: number, unit = "a") => unit.repeat(n);

/** Listening beyond loopback, where relaying for strangers matters. */
const PUBLIC: Patch = { inetInterfaces: ["all"] };

/** What would make PostfixConfig an open relay (postfix/relay-safety.ts), and its opt-out's own rules. */
const OPEN_RELAYS: Semantic[] = [
  { field: "mynetworks", value: ["0.0.0.0/0"], patch: PUBLIC, why: "every IPv4 address", mentions: ["open relay"] },
  {
    field: "mynetworks",
    value: ["[::]/0"],
    patch: PUBLIC,
    why: "every IPv6 address",
    mentions: ["every IPv6 address"],
  },
  {
    field: "mynetworks",
    value: ["127.0.0.0/8", "0.0.0.0/1", "128.0.0.0/1"],
    patch: PUBLIC,
    why: "two /1s that together cover IPv4",
    mentions: ["0.0.0.0/1, 128.0.0.0/1 together cover every IPv4 address"],
  },
  {
    field: "mynetworks",
    value: ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"],
    patch: PUBLIC,
    why: "four /2s that together cover IPv4",
    mentions: ["together cover every IPv4 address"],
  },
  {
    field: "mynetworks",
    value: ["127.0.0.0/8", "0.0.0.0/0"],
    patch: { inetInterfaces: REMOVE },
    why: "the world, listening where Postfix's default inet_interfaces (all) says",
    mentions: ["open relay"],
  },
  {
    field: "mynetworks",
    value: ["0.0.0.0/0"],
    patch: { inetInterfaces: ["192.0.2.10", "localhost"] },
    why: "the world, listening on a public address",
    mentions: ["open relay"],
  },
  {
    field: "mynetworks",
    value: ["[::ffff:0.0.0.0]/96"],
    patch: PUBLIC,
    why: "IPv4-mapped IPv6: every IPv4 client",
    mentions: ["every IPv4 address"],
  },
  { field: "mynetworks", value: ["64.0.0.0/2"], patch: PUBLIC, why: "a /2: no operator owns one", mentions: ["/8"] },
  { field: "mynetworks", value: ["[2000::]/3"], patch: PUBLIC, why: "all global IPv6", mentions: ["/16"] },
  {
    field: "parameters.smtpd_relay_restrictions",
    value: "permit",
    patch: PUBLIC,
    why: "permit, and nothing rejects",
    mentions: ["reject_unauth_destination"],
  },
  {
    field: "parameters.smtpd_relay_restrictions",
    value: "permit_mynetworks, permit, reject_unauth_destination",
    patch: PUBLIC,
    why: "permit before reject_unauth_destination",
    mentions: ['"permit" lets every client through'],
  },
  {
    field: "parameters.smtpd_relay_restrictions",
    value: "check_client_access static:OK, reject_unauth_destination",
    patch: PUBLIC,
    why: "an access table that answers OK for everyone",
    mentions: ["check_client_access static:OK"],
  },
  {
    field: "parameters.smtpd_relay_restrictions",
    value: "permit_mynetworks, warn_if_reject reject_unauth_destination",
    patch: PUBLIC,
    why: "the relay check made a warning",
    mentions: ["open relay"],
  },
  {
    field: "parameters.smtpd_relay_restrictions",
    value: "permit_mynetworks, permit_sasl_authenticated",
    patch: PUBLIC,
    why: "no reject at all in either list",
    mentions: ["neither it nor smtpd_recipient_restrictions rejects relaying"],
  },
  {
    field: "parameters.smtpd_recipient_restrictions",
    at: "parameters",
    value: { smtpd_relay_restrictions: "permit_mynetworks", smtpd_recipient_restrictions: "permit_mynetworks, permit" },
    patch: PUBLIC,
    why: "the pre-2.10 place of the relay check, with a permit and no reject",
    mentions: ['"permit" lets every client through'],
  },
  {
    field: "parameters.mynetworks_style",
    value: "subnet",
    patch: { ...PUBLIC, mynetworks: REMOVE },
    why: "the host's subnets, unknown at preview",
    mentions: ["set mynetworks"],
  },
  {
    field: "parameters.mynetworks_style",
    value: "class",
    patch: { ...PUBLIC, mynetworks: REMOVE },
    why: "whole address classes",
    mentions: ["whole address classes"],
  },
  {
    field: "openRelayReason",
    at: "allowOpenRelay",
    value: true,
    patch: { ...PUBLIC, mynetworks: ["0.0.0.0/0"] },
    why: "allowOpenRelay without a reason",
    mentions: ["is required with allowOpenRelay"],
  },
  {
    field: "openRelayReason",
    value: "because",
    patch: { allowOpenRelay: true },
    why: "a reason that says nothing",
    mentions: ["at least 10 characters"],
  },
  {
    field: "openRelayReason",
    value: "a lab relay on an isolated network",
    why: "a reason without allowOpenRelay",
    mentions: ["has no effect without allowOpenRelay"],
  },
  { field: "allowOpenRelay", value: "yes", why: "not a boolean" },
];

const SEMANTIC: Record<CorpusResource, Semantic[]> = {
  PostfixConfig: [
    { field: "myhostname", value: "mx..example.com", why: "empty label" },
    { field: "myhostname", value: "-mx.example.com", why: "label starts with a hyphen" },
    { field: "myhostname", value: "localhost", why: "not fully qualified" },
    { field: "myhostname", value: "mx.example.com.", why: "trailing dot" },
    { field: "myhostname", value: `${long(64)}.example.com`, why: "label over 63 characters" },
    {
      field: "myhostname",
      value: `${long(60)}.${long(60)}.${long(60)}.${long(60)}.${long(60)}.com`,
      why: "name over 253",
    },
    { field: "mydomain", value: "exa mple.com", why: "space in a domain" },
    { field: "myorigin", value: "relative/path", why: "neither a domain, a macro nor an absolute path" },
    { field: "mynetworks[1]", value: "10.0.0.0/33", why: "IPv4 prefix over 32" },
    { field: "mynetworks[1]", value: "256.0.0.0/8", why: "octet over 255" },
    { field: "mynetworks[1]", value: "[::1]/129", why: "IPv6 prefix over 128" },
    { field: "mynetworks[1]", value: "[fe80::zz]/64", why: "not an IPv6 address" },
    { field: "mynetworks", value: [], why: "an empty list would trust nobody, not even localhost" },
    { field: "inetInterfaces", value: ["all", "127.0.0.1"], why: "all must stand alone" },
    { field: "inetInterfaces[0]", value: "eth0 eth1", why: "two names in one entry" },
    { field: "relayhost.host", value: "relay.example.net:587", why: "port belongs in relayhost.port" },
    { field: "relayhost.host", value: "[relay.example.net]", why: "brackets are added by the provider" },
    { field: "relayhost.port", value: 0, why: "port 0" },
    { field: "relayhost.port", value: 65536, why: "port over 65535" },
    {
      field: "relayhost.mxLookup",
      value: true,
      patch: { relayhost: { host: "192.0.2.10" } },
      why: "an IP address has no MX records",
    },
    { field: "saslRelay.username", value: "mail user", why: "space in a SASL user name" },
    { field: "saslRelay.username", value: "mailer:x", why: "colon separates user and password in the map" },
    { field: "saslRelay.username", value: long(257), why: "user name over 256 characters" },
    { field: "saslRelay.password", value: "", why: "empty password" },
    { field: "saslRelay.password", value: long(1025, "P"), why: "password over 1024 characters", secret: true },
    { field: "saslRelay.password", value: " padded-Secret ", why: "leading and trailing spaces", secret: true },
    {
      field: "saslRelay.password",
      value: "tab\tSecret-Value",
      why: "control character in the password",
      secret: true,
    },
    { field: "saslRelay", value: { username: "u", password: "p" }, patch: { relayhost: REMOVE }, why: "no relay" },
    { field: "saslRelay.securityOptions[0]", value: "noanon", why: "not a SASL security option" },
    {
      field: "clientTls.securityLevel",
      value: "may",
      why: "may sends the SASL password in clear",
      mentions: ["requireTls"],
    },
    { field: "clientTls.securityLevel", value: "maybe", why: "not a TLS level" },
    {
      field: "clientTls.dnsSupportLevel",
      value: "enabled",
      patch: { saslRelay: REMOVE, relayhost: REMOVE, clientTls: { securityLevel: "dane" } },
      why: "dane needs dnssec",
      mentions: ["dnssec"],
    },
    { field: "rootAlias", value: "ops@example.com, evil@example.net", why: "two targets" },
    { field: "rootAlias", value: "|/bin/sh -c id", why: "a pipe alias runs a command" },
    { field: "rootAlias", value: "/etc/passwd", why: "a file alias appends to a file" },
    { field: "parameters.smtpd_banner", value: "costs $ 5", why: "$ not followed by a macro name" },
    { field: "parameters.smtpd_banner", value: long(4097, "b"), why: "value over 4096 characters" },
    { field: "parameters.myhostname", value: "mx2.example.com", why: "owned by the typed myhostname field" },
    { field: "parameters.smtp_destination_rate_delay", value: "1s", why: "managed by RateLimitTransport" },
    { field: "parameters.transport_maps", value: "hash:/etc/postfix/other", why: "managed by RateLimitTransport" },
    { field: "parameters.always_bcc", value: "archive@example.com", why: "managed by MailArchive" },
    { field: "parameters.non_smtpd_milters", value: "inet:localhost:11332", why: "managed by OpenDkimKey" },
    {
      field: "parameters.Smtpd banner",
      at: "parameters",
      value: { "Smtpd banner": "x" },
      why: "not a parameter name",
    },
    { field: "parameters.x;reboot", at: "parameters", value: { "x;reboot": "x" }, why: "metacharacter in a name" },
    { field: "connection.port", value: 0, why: "port 0" },
    { field: "connection.port", value: 70000, why: "port over 65535" },
    { field: "connection.user", value: "Root", why: "upper-case user name" },
    { field: "connection.host", value: "", why: "empty host" },
    {
      field: "connection.privateKey",
      value: "not-a-key-Secret-Value",
      why: "not a private key",
      secret: true,
    },
    {
      field: "connection.privateKey",
      value: REMOVE,
      why: "neither a key nor an agent socket: cannot log in",
    },
    { field: "connection.agentSocket", value: "ssh-agent.sock", why: "relative socket path" },
    { field: "connection.hostKeyFingerprint", value: "MD5:12:34:56", why: "not a SHA256 fingerprint" },
    { field: "connection.hostKeyFingerprint", value: `SHA256:${"A".repeat(42)}`, why: "fingerprint too short" },
    { field: "profile", value: "solaris", why: "not a profile" },
    { field: "(inputs)", at: "myhostnme", value: "mx.example.com", why: "misspelled field", mentions: ["myhostnme"] },
    ...OPEN_RELAYS,
  ],
  OpenDkimKey: [
    { field: "domain", value: "example", why: "not fully qualified" },
    { field: "domain", value: "exa mple.com", why: "space in a domain" },
    { field: "domain", value: `${long(64)}.com`, why: "label over 63 characters" },
    { field: "selector", value: "Mail2026", why: "upper case" },
    { field: "selector", value: "mail.2026", why: "two labels" },
    { field: "selector", value: "-mail", why: "starts with a hyphen" },
    { field: "selector", value: long(64, "s"), why: "label over 63 characters" },
    { field: "bits", value: 1024, why: "RSA under 2048 bits", mentions: ["2048"] },
    { field: "bits", value: 2047, why: "not a supported key size" },
    { field: "bits", value: 8192, why: "not a supported key size" },
    { field: "ed25519Selector", value: "mail2026", why: "the same record as the RSA key" },
    { field: "ed25519Selector", value: "ed_2026", why: "underscore in a selector" },
    { field: "trustedHosts[0]", value: "10.0.0.0/33", why: "prefix over 32" },
    { field: "trustedHosts[0]", value: "10.0.0.1/8/8", why: "two prefixes" },
    { field: "trustedHosts[0]", value: "::1/129", why: "IPv6 prefix over 128" },
    { field: "trustedHosts[1]", value: "relay host", why: "space in a host name" },
    {
      field: "subdomains[0]",
      value: "mx.example.net",
      why: "outside the domain: a d=example.com signature would not align",
      mentions: ["not under example.com"],
    },
    { field: "subdomains[0]", value: "mx example.com", why: "space in a host name" },
    { field: "signing", value: "yes", why: "a string, not a boolean" },
    { field: "connection.port", value: -1, why: "negative port" },
  ],
  RateLimitTransport: [
    {
      field: "defaults.recipientLimit",
      value: 1,
      why: "at 1 the delay applies per recipient",
      mentions: ["at least 2"],
    },
    { field: "defaults.recipientLimit", value: 0, why: "zero recipients" },
    { field: "defaults.recipientLimit", value: 2.5, why: "not a whole number" },
    { field: "defaults.recipientLimit", value: 100_001, why: "over 100000" },
    { field: "defaults.rateDelay", value: "5 minutes", why: "not a Postfix time" },
    { field: "defaults.rateDelay", value: "1y", why: "no such unit" },
    { field: "defaults.rateDelay", value: "-1s", why: "negative" },
    { field: "defaults.rateDelay", value: "12345678s", why: "over 7 digits" },
    {
      field: "defaults.warmup",
      value: { start: "2026-01-01", rateDelays: ["60s"] },
      why: "rateDelay and warmup together",
    },
    { field: "transports[0].name", value: "smtp", why: "Postfix's own service" },
    { field: "transports[0].name", value: "relay", why: "Postfix's own service" },
    { field: "transports[0].name", value: "default", why: "parameter prefix default_" },
    { field: "transports[0].name", value: "Smtp-Nice", why: "upper case" },
    { field: "transports[0].name", value: "smtp nice", why: "space" },
    { field: "transports[0].name", value: `smtp-${long(30, "n")}`, why: "over 31 characters" },
    { field: "transports[1].name", value: "smtp-nice", why: "defined twice" },
    { field: "transports[0].recipientLimit", value: 1, why: "at 1 the delay applies per recipient" },
    { field: "transports[0].concurrencyLimit", value: 0, why: "no deliveries at all" },
    { field: "transports[0].domains[0]", value: "yahoo", why: "not a domain" },
    { field: "transports[0].domains", value: [], why: "a transport nothing goes through" },
    { field: "transports[1].domains[0]", value: "yahoo.com", why: "domain mapped twice" },
    { field: "transports[0].rateDelay", value: REMOVE, why: "a transport without a delay limits nothing" },
    { field: "transports[1].warmup.start", value: "2026-02-30", why: "no such day" },
    { field: "transports[1].warmup.rateDelays[1]", value: "600s", why: "a warm-up only shortens the delay" },
    { field: "transports[1].warmup.rateDelays", value: [], why: "no delays" },
    { field: "transports[1].warmup.daysPerStep", value: 0, why: "zero days per step" },
    { field: "today", value: "tomorrow", why: "not a date" },
    { field: "transports", value: [], patch: { defaults: REMOVE }, why: "nothing to apply" },
  ],
  InboundSmtpFirewall: [
    { field: "interface", value: "Net0", why: "upper case" },
    { field: "interface", value: long(16, "n"), why: "over 15 characters" },
    { field: "interface", value: "0net", why: "starts with a digit" },
    { field: "ports[0]", value: 0, why: "port 0" },
    { field: "ports[0]", value: 70000, why: "port over 65535" },
    { field: "ports[0]", value: 25.5, why: "not a whole number" },
    { field: "ports", value: [], why: "no port to block" },
    { field: "ports", value: [25, 25], why: "port listed twice" },
  ],
  MailArchive: [
    { field: "address", value: "mailarchive", why: "no domain" },
    { field: "address", value: "Mail Archive@localhost", why: "space in an alias name" },
    { field: "address", value: "a@b@localhost", why: "two @" },
    { field: "directory", value: "var/mail/archive", why: "relative path" },
    { field: "directory", value: "/var/mail/../etc", why: ".. in a path" },
    { field: "directory", value: "/var/mail/ar chive", why: "space in a path" },
    { field: "directory", value: "/", why: "the root directory" },
    { field: "holdFile", value: "hold", why: "relative path" },
    { field: "scriptPath", value: "/root/scripts/./rotate.sh", why: ". in a path" },
    { field: "schedule", value: "@daily", why: "not five crontab fields" },
    { field: "schedule", value: "0 0 * * * /bin/evil", why: "a sixth field would be a command" },
    { field: "schedule", value: "0 0 * *", why: "four fields" },
    { field: "retentionDays", value: 0, why: "zero days" },
    { field: "retentionDays", value: 1.5, why: "not a whole number" },
    { field: "retentionDays", value: 36526, why: "over 100 years" },
    {
      field: "directory",
      value: "/var/mail/archive",
      patch: REMOTE_ARCHIVE,
      why: "local field with a remote archive",
    },
    {
      field: "remoteAddress",
      value: "archive@example.com, x@example.net",
      patch: REMOTE_ARCHIVE,
      why: "two addresses",
    },
  ],
  MailLogReport: [
    { field: "reportTo", value: "Root", why: "neither an address nor a lower-case user name" },
    { field: "reportTo", value: "ops@-example.com", why: "domain label starts with a hyphen" },
    { field: "reportTo", value: "ops@example.com, evil@example.net", why: "two recipients" },
    { field: "reportTo", value: long(33, "u"), why: "user name over 32 characters" },
    { field: "logFile", value: "var/log/mail.log", why: "relative path" },
    { field: "logFile", value: "/var/log/mail log", why: "space in a path" },
    { field: "logFile", value: "/var/log/../../etc/shadow", why: ".. path segment" },
    { field: "logFile", value: "/var/log//mail.log", why: "empty path segment" },
    { field: "hour", value: 24, why: "no hour 24" },
    { field: "hour", value: 1.5, why: "not a whole hour" },
    { field: "minute", value: 60, why: "no minute 60" },
    { field: "minute", value: -1, why: "negative minute" },
    { field: "day", value: "tomorrow", why: "the report covers yesterday or today" },
    { field: "connection.port", value: 65536, why: "port over 65535" },
  ],
  SmartOsZone: [
    { field: "manifest.image_uuid", value: "not-a-uuid", why: "not a UUID" },
    { field: "manifest.image_uuid", value: IMAGE.toUpperCase(), why: "upper-case UUID" },
    { field: "manifest.nics[0].ips[0]", value: "203.0.113.25/255.255.255.0", why: "netmask, not a prefix length" },
    { field: "manifest.nics[0].ips[0]", value: "203.0.113.25", why: "no prefix length" },
    {
      field: "manifest.nics[0].ips",
      value: Array.from({ length: 21 }, (_, i) => `203.0.113.${i + 30}/24`),
      why: "over vmadm's 20 addresses",
    },
    { field: "manifest.nics[0].gateways[0]", value: "198.51.100.1", why: "gateway outside the nic's network" },
    {
      field: "manifest.nics",
      at: "manifest.nics[1]",
      value: { nic_tag: "admin", ips: ["dhcp"], primary: true },
      why: "two primary nics",
    },
    { field: "manifest.nics[0].primary", value: false, why: "primary may only be true" },
    { field: "manifest.nics[0].mac", value: "90:B8:D0:12:34:56", why: "upper-case MAC" },
    { field: "manifest.nics[0].vlan_id", value: 4096, why: "VLAN over 4095" },
    { field: "manifest.nics[0].mtu", value: 100, why: "MTU under 576" },
    { field: "manifest.max_swap", value: 512, why: "swap below memory" },
    { field: "manifest.max_physical_memory", value: 64, why: "under 128 MiB" },
    { field: "manifest.max_locked_memory", value: 4096, why: "locked memory over physical memory" },
    { field: "manifest.cpu_cap", value: -100, why: "negative CPU cap" },
    {
      field: "manifest.firewall_enabled",
      value: true,
      why: "firewall on without fwadm rules letting SSH in (fwrule(7): all inbound traffic is blocked)",
      mentions: ["blocks all inbound traffic", "ALLOW tcp PORT 22", "firewallAllowsSsh: true"],
    },
    {
      field: "manifest.quota",
      value: 20,
      why: "zone quota below the capacity plan",
      mentions: ["20 GB", "28.3 GB", "30 GB"],
    },
    {
      field: "manifest.quota",
      value: REMOVE,
      why: "vmadm's default quota below the capacity plan",
      mentions: ["vmadm's default", "10 GB"],
    },
    { field: "manifest.alias", value: long(129), why: "alias over 128 characters" },
    { field: "manifest.brand", value: "kvm", why: "not an OS zone brand" },
    { field: "manifest.dns_domain", value: "example..com", why: "empty label" },
    { field: "manifest.resolvers[0]", value: "8.8.8", why: "not an IP address" },
    { field: "manifest.kernel_version", value: "4.3.0", why: "kernel_version on a joyent zone" },
    { field: "manifest.kernel_version", value: "latest", patch: { manifest: { brand: "lx" } }, why: "not a version" },
    {
      field: "manifest.zfs_data_compression",
      value: "lz4",
      patch: { manifest: { delegate_dataset: false } },
      why: "no delegated dataset",
    },
    { field: "manifest.zfs_root_compression", value: "gzip-10", why: "no such compression" },
    { field: "manifest.customer_metadata.root_pw", value: "secret", why: "_pw keys belong in internal_metadata" },
    {
      field: "manifest.customer_metadata.user script;id",
      at: "manifest.customer_metadata",
      value: { "user script;id": "x" },
      why: "metadata key with a space and a metacharacter",
    },
    {
      field: `manifest.customer_metadata.${long(129, "k")}`,
      at: "manifest.customer_metadata",
      value: { [long(129, "k")]: "x" },
      why: "metadata key over 128 characters",
    },
    { field: "manifest.customer_metadata.count", value: 3, why: "a metadata value that is not a string" },
    { field: "manifest.delegate_dataset", value: "yes", why: "a string, not a boolean" },
    { field: "capacityPlan.sentGbPerMonth", value: -5, why: "negative volume" },
    { field: "capacityPlan.monthlyGrowth", value: 10, why: "a percentage, not a factor" },
  ],
  ZoneDatasets: [
    { field: "zoneUuid", value: "zones/3f9c0c4e", why: "a dataset name, not a UUID" },
    { field: "mailQuota", value: 0, why: "zero GiB" },
    { field: "mailQuota", value: 1.5, why: "not whole GiB" },
    {
      field: "mailQuota",
      value: 2,
      why: "mail quota below the capacity plan",
      mentions: ["2 GB", "8.3 GB", "10 GB"],
    },
    { field: "spoolQuota", value: 2, why: "spool quota below the capacity plan", mentions: ["2 GB", "8.3 GB"] },
    { field: "spoolQuota", value: 30, why: "spool larger than the mail dataset holding it", mentions: ["30 GiB"] },
    {
      field: "mailQuota",
      at: "zoneQuota",
      value: 30,
      why: "mail dataset and the plan's system reserve do not fit in the zone quota, which counts the delegated datasets",
      mentions: ["zone quota of 30 GiB", "system reserve of 20 GiB", "at most 10 GiB", "at least 40 GiB"],
    },
    { field: "mailQuota", value: REMOVE, patch: { capacityPlan: REMOVE }, why: "no quota and no plan" },
    { field: "capacityPlan.maxUndeliverableDays", value: 0, why: "zero days" },
  ],
  DnsAuthRecords: [
    { field: "domain", value: "example", why: "not fully qualified" },
    { field: "ttl", value: 30, why: "TTL under 60" },
    { field: "ttl", value: 86401, why: "TTL over a day" },
    { field: "mailHost.name", value: "mx.example.net", why: "outside the domain" },
    { field: "mailHost.ipv4[0]", value: "203.0.113.300", why: "octet over 255" },
    { field: "mailHost.ipv6[0]", value: "203.0.113.25", why: "IPv4 in the IPv6 list" },
    {
      field: "mailHost.ipv6[1]",
      at: "mailHost.ipv6",
      value: ["2001:db8::25", "2001:DB8:0:0::25"],
      why: "one address in two spellings (Cloudflare keeps one: 81058)",
    },
    {
      field: "spf.mechanisms",
      value: [
        ...Array.from({ length: 11 }, (_, i) => ({ type: "include", domain: `_spf${i}.example.net` })),
        { type: "all" },
      ],
      why: "11 DNS lookups",
      mentions: ["11 DNS lookups", "RFC 7208"],
    },
    {
      field: "spf.mechanisms",
      value: [
        ...Array.from({ length: 6 }, (_, i) => ({ type: "a", domain: `h${i}.example.com` })),
        ...Array.from({ length: 5 }, (_, i) => ({ type: "exists", domain: `e${i}.example.com` })),
        { type: "all" },
      ],
      why: "11 DNS lookups from a and exists",
      mentions: ["11 DNS lookups"],
    },
    { field: "spf.mechanisms", value: [{ type: "mx" }], why: "no all: the record allows anyone" },
    {
      field: "spf.mechanisms[1]",
      value: [{ type: "all" }, { type: "mx" }],
      at: "spf.mechanisms",
      why: "mechanism after all",
    },
    { field: "spf.mechanisms[0].value", value: "192.0.2.0/33", why: "IPv4 prefix over 32" },
    { field: "spf.mechanisms[2].domain", value: "_spf..example.net", why: "empty label" },
    { field: "spf.mechanisms[1].type", value: "ptr", why: "ptr is not to be used (RFC 7208)" },
    { field: "spf.mechanisms[3].qualifier", value: "!", why: "not an SPF qualifier" },
    { field: "apexTxt[1]", at: "apexTxt", value: ["x", "v=spf1 -all"], why: "a second SPF record" },
    { field: "apexTxt[0]", value: long(2100, "t"), why: "TXT over Cloudflare's 2048 characters as sent" },
    { field: "apexTxt[1]", at: "apexTxt", value: ["x", "x"], why: "the same TXT value twice (Cloudflare: 81058)" },
    { field: "apexTxt[0]", value: "caf\u00e9", why: "not printable ASCII" },
    { field: "dmarc.p", value: "monitor", why: "not a DMARC policy" },
    { field: "dmarc.sp", value: "discard", why: "not a DMARC policy" },
    { field: "dmarc.pct", value: 101, why: "over 100 percent" },
    { field: "dmarc.rua[0]", value: "dmarc@example.com", why: "no mailto:" },
    { field: "dmarc.rua[0]", value: "mailto:dmarc@example.com!10x", why: "bad size limit" },
    { field: "dmarc.rua", value: [], why: "an empty report list" },
    { field: "dmarc.fo", value: ["1"], patch: { dmarc: { ruf: REMOVE } }, why: "fo without ruf" },
    { field: "dmarc.fo", value: ["1", "1"], why: "repeated option" },
    { field: "dmarc.fo[0]", value: "2", why: "not a failure option" },
    { field: "dmarc.adkim", value: "strict", why: "alignment is r or s" },
    { field: "dmarc.rf", value: "json", why: "not a report format" },
    { field: "dmarc.ri", value: 0, why: "zero-second report interval" },
    { field: "dkim[0].selector", value: "Default", why: "upper case" },
    {
      field: "dkim[1].selector",
      at: "dkim[1]",
      value: { selector: "mail2026", value: "v=DKIM1; k=rsa; p=BBBB" },
      why: "selector listed twice",
    },
    { field: "dkim[0].publishUntil", value: "2026-13-01", why: "no month 13" },
    { field: "adsp", value: "none", why: "not an ADSP policy" },
    { field: "ptrZone", value: "example.com", why: "not a reverse zone" },
    { field: "ptrZone", value: "100.51.198.in-addr.arpa", why: "does not cover the mail host" },
    {
      field: "spf",
      value: REMOVE,
      patch: { mailHost: { ipv4: [], ipv6: [] }, ptrZone: REMOVE, ptrZoneId: REMOVE },
      why: "no SPF and no addresses: who may send?",
    },
  ],
};

/** Every bad input of the corpus, resource by resource. */
export const BAD_INPUTS: BadInput[] = CORPUS_RESOURCES.flatMap((resource) => [
  ...SEMANTIC[resource].map((s) => ({ resource, ...s })),
  ...STRING_FIELDS[resource].flatMap((f) => stringAttacks(resource, f)),
]);

// ---------------------------------------------------------------- applying an entry

function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
  }
  return v;
}

function merge(base: Patch, patch: Patch): Patch {
  const out = clone(base);
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    if (v === REMOVE) delete out[k];
    else if (isObject(v) && isObject(cur)) out[k] = merge(cur, v);
    else out[k] = clone(v);
  }
  return out;
}

function isObject(v: unknown): v is Patch {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** `a.b[0].c` -> ["a", "b", 0, "c"]. Keys may hold anything but `.` and `[`. */
function parsePath(path: string): (string | number)[] {
  return path
    .split(".")
    .flatMap((part) => part.split(/\[(\d+)\]/).filter((p) => p !== ""))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function setPath(args: Patch, path: string, value: unknown): Patch {
  const out = clone(args);
  const keys = parsePath(path);
  let node: Record<string | number, unknown> = out;
  for (const [i, key] of keys.slice(0, -1).entries()) {
    if (node[key] === undefined || node[key] === null) node[key] = typeof keys[i + 1] === "number" ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  }
  const last = keys[keys.length - 1];
  if (value === REMOVE) delete node[last];
  else node[last] = clone(value);
  return out;
}

/** The arguments an entry gives its resource: the base, patched, with the bad value set. */
export function argsOf(entry: BadInput, base: Patch): Patch {
  return setPath(merge(base, entry.patch ?? {}), entry.at ?? entry.field, entry.value);
}
