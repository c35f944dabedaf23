/**
 * `@smartos-mail/pulumi/tools`: the parts of the library that work without a
 * Pulumi program or the Pulumi SDK, for command-line tools and scripts that
 * should start fast: the capacity planner, the rate-limit policy and warm-up
 * schedule, the DNS records' schema, the SPF/DMARC record readers, and
 * qshape's command, parser and SSH runner (`queueShape`), and the DNSSEC probe
 * of a host's resolver (`probeResolver`). The main entry does
 * not re-export them, so a Pulumi program that requires it loads none of
 * these (nor zod).
 */
export { type DnsAuth, dnsAuthSchema } from "./dns/auth-records";
export { isDmarcRecord, type ParsedDmarc, parseDmarcRecord } from "./dns/dmarc-parse";
export { probeResolver } from "./dns/probe-resolver";
export {
  parseDnssecProbe,
  parseResolverProbe,
  type ResolverAnswer,
  type ResolverProbe,
  type ResolverProbeOptions,
  resolverProbeScript,
} from "./dns/resolver-probe";
export { reverseName } from "./dns/reverse";
export { SPF_LOOKUP_TERMS, SPF_MAX_LOOKUPS } from "./dns/spf";
export {
  isSpfRecord,
  type ParsedSpf,
  type ParsedSpfMechanism,
  parseSpfRecord,
  type SpfMechanismName,
} from "./dns/spf-parse";
export {
  parseQshape,
  type QshapeDomainRow,
  type QshapeOptions,
  QshapeParseError,
  type QshapeQueue,
  type QshapeRow,
  type QueueShape,
  qshapeQueues,
  qshapeScript,
} from "./monitoring/qshape";
export { queueShape } from "./monitoring/queue-shape";
export {
  type CapacityMonth,
  type CapacityPlan,
  type CapacityPlanInputs,
  type CapacitySizes,
  capacityPlanSchema,
  checkQuotaCoversPlan,
  type DatasetQuotas,
  planCapacity,
  type QuotaTarget,
} from "./plan/capacity";
export { type CapacityChartOptions, capacityChartSvg } from "./plan/chart";
export { ratePolicy } from "./ratelimit/policy";
export { warmupOn } from "./ratelimit/warmup";
export { HostKeyMismatchError } from "./remote/host-key";
export { closeAllConnections, RemoteCommandError } from "./remote/pool";
export { InvalidConnectionError, type SshConnectionOptions } from "./remote/tool-host";
export { type RateLimitInputs, rateLimitSchema, type Warmup } from "./schemas/rate-limit-transport";
export { isHostname } from "./validation/names";
