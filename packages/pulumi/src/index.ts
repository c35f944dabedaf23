export { type DkimRecordArgs, DnsAuthRecords, type DnsAuthRecordsArgs } from "./components/dns-auth-records";
export {
  type RelayArgs,
  type SendingDomainArgs,
  SendOnlyMailServer,
  type SendOnlyMailServerArgs,
} from "./components/send-only-mail-server";
export { type DnsAuth, dnsAuthSchema } from "./dns/auth-records";
export { InvalidConnectionError, queueShape, type SshConnectionOptions } from "./monitoring/queue-shape";
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
export { OpenDkimKey, type OpenDkimKeyArgs } from "./providers/opendkim-key";
export { PostfixConfig, type PostfixConfigArgs } from "./providers/postfix-config";
export {
  type RateLimitArgs,
  RateLimitTransport,
  type RateLimitTransportArgs,
  type TransportArgs,
  type WarmupArgs,
} from "./providers/rate-limit-transport";
export {
  SmartOsZone,
  type SmartOsZoneArgs,
  type ZoneManifestArgs,
  type ZoneNicArgs,
  type ZoneSshArgs,
} from "./providers/smartos-zone";
export { ZoneDatasets, type ZoneDatasetsArgs } from "./providers/zone-datasets";
export { type RateLimitInputs, rateLimitSchema, ratePolicy } from "./ratelimit/policy";
export { type Warmup, warmupOn } from "./ratelimit/warmup";
export type { ConnectionArgs } from "./remote/connection";
export { HostKeyMismatchError } from "./remote/host-key";
export type { PlatformName } from "./remote/platform";
export { closeAllConnections, RemoteCommandError } from "./remote/pool";
export { InboundSmtpFirewall, type InboundSmtpFirewallArgs } from "./resources/inbound-smtp-firewall";
export { MailArchive, type MailArchiveArgs } from "./resources/mail-archive";
export { MailLogReport, type MailLogReportArgs } from "./resources/mail-log-report";
export * from "./tools";
