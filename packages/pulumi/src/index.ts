/**
 * The main entry, for Pulumi programs: the resources and components, their
 * argument types, and the errors and pool control a program may need. It
 * loads no zod, no SSH or crypto module and no Cloudflare provider when
 * required: validation and `@pulumi/cloudflare` load when a component is
 * constructed, the rest in the provider process (issue 16). The plain-data
 * helpers (capacity planner, rate-limit policy, schemas, record parsers,
 * qshape) are in `@smartos-mail/pulumi/tools`.
 */
export { type DkimRecordArgs, DnsAuthRecords, type DnsAuthRecordsArgs } from "./components/dns-auth-records";
export {
  type RelayArgs,
  type SendingDomainArgs,
  SendOnlyMailServer,
  type SendOnlyMailServerArgs,
} from "./components/send-only-mail-server";
export type { ConnectionArgs } from "./remote/connection";
export { HostKeyMismatchError } from "./remote/host-key";
export type { PlatformName } from "./remote/platform";
export { closeAllConnections, RemoteCommandError } from "./remote/pool";
export {
  DeliveryFeedback,
  type DeliveryFeedbackAction,
  type DeliveryFeedbackArgs,
} from "./resources/delivery-feedback";
export { InboundSmtpFirewall, type InboundSmtpFirewallArgs } from "./resources/inbound-smtp-firewall";
export { MailArchive, type MailArchiveArgs } from "./resources/mail-archive";
export { MailLogReport, type MailLogReportArgs } from "./resources/mail-log-report";
export { OpenDkimKey, type OpenDkimKeyArgs } from "./resources/opendkim-key";
export { PostfixConfig, type PostfixConfigArgs } from "./resources/postfix-config";
export {
  type RateLimitArgs,
  RateLimitTransport,
  type RateLimitTransportArgs,
  type TransportArgs,
  type WarmupArgs,
} from "./resources/rate-limit-transport";
export {
  SmartOsZone,
  type SmartOsZoneArgs,
  type ZoneManifestArgs,
  type ZoneNicArgs,
  type ZoneSshArgs,
} from "./resources/smartos-zone";
export { ZoneDatasets, type ZoneDatasetsArgs } from "./resources/zone-datasets";
