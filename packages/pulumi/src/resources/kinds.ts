/**
 * Every dynamic resource of the library as the engine knows it, in one table
 * both sides read: the resource classes (in the user's program) and the
 * providers (in the engine's dynamic-provider host). It loads nothing: a
 * user's program must not pay for zod, SSH or crypto modules at load.
 */
export const RESOURCE_KINDS = {
  postfixConfig: {
    type: "PostfixConfig",
    slug: "postfix-config",
    outputs: ["applied", "rootAliasApplied", "saslMapInSync", "openRelay", "previous"],
    secretInputs: ["saslRelay"],
  },
  openDkimKey: {
    type: "OpenDkimKey",
    slug: "opendkim",
    outputs: [
      "privateKey",
      "dkimRecordName",
      "dkimRecordValue",
      "ed25519PrivateKey",
      "ed25519RecordName",
      "ed25519RecordValue",
      "live",
    ],
    secretInputs: [],
    secretOutputs: ["privateKey", "ed25519PrivateKey"],
  },
  rateLimitTransport: {
    type: "RateLimitTransport",
    slug: "rate-limit",
    outputs: ["applied", "previous", "rateDelays", "nextWarmupStep"],
    secretInputs: [],
  },
  inboundSmtpFirewall: {
    type: "InboundSmtpFirewall",
    slug: "inbound-smtp-firewall",
    outputs: ["applied", "enabledBefore"],
    secretInputs: [],
  },
  mailArchive: { type: "MailArchive", slug: "mail-archive", outputs: ["applied", "previous"], secretInputs: [] },
  mailLogReport: {
    type: "MailLogReport",
    slug: "mail-log-report",
    outputs: ["reportedLog", "cronLine", "scriptSha256"],
    secretInputs: [],
  },
  deliveryFeedback: {
    type: "DeliveryFeedback",
    slug: "delivery-feedback",
    outputs: ["watchedLog", "live", "previousTransportMaps", "active", "suppressedCount"],
    secretInputs: [],
  },
  smartOsZone: {
    type: "SmartOsZone",
    slug: "smartos-zone",
    outputs: ["uuid", "live", "state", "primaryIp", "ips", "delegatedDataset", "pendingReboot", "activeNics"],
    secretInputs: [],
  },
  zoneDatasets: {
    type: "ZoneDatasets",
    slug: "zone-datasets",
    outputs: ["live", "previous", "datasets"],
    secretInputs: [],
  },
} as const satisfies Record<string, ResourceKindInfo>;

/**
 * The output every kind has besides its own: the version of the state its outputs were written with
 * (providers/state-version.ts).
 */
export const STATE_VERSION_KEY = "stateVersion";

/** What the engine and the library need to know of one dynamic resource. */
export interface ResourceKindInfo {
  /** The type token's last part: `smartos-mail:index:<type>` (the SDK prefixes `pulumi-nodejs:dynamic:`). */
  readonly type: string;
  /** The id's middle part: `<host>/<slug>/<uuid>`. */
  readonly slug: string;
  /** The keys the provider adds to the inputs in state: the resource's outputs. */
  readonly outputs: readonly string[];
  /** Input keys kept as Pulumi secrets, in state and in the engine's output, beside the connection's key. */
  readonly secretInputs: readonly string[];
  /** Output keys kept as Pulumi secrets (generated key material), in state and in the engine's output. */
  readonly secretOutputs?: readonly string[];
}

/** A resource whose implementation lives in `provider-runtime`. */
export type ResourceKind = keyof typeof RESOURCE_KINDS;
