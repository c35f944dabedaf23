/**
 * The parts of the library that work without a Pulumi program or the Pulumi
 * SDK, for command-line tools and scripts that should start fast: the
 * capacity planner, qshape's command and parser, and the SPF/DMARC record
 * readers. `@smartos-mail/pulumi/tools`; the main entry exports them too.
 */
export { isDmarcRecord, type ParsedDmarc, parseDmarcRecord } from "./dns/dmarc-parse";
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
export {
  type CapacityMonth,
  type CapacityPlan,
  type CapacityPlanInputs,
  type CapacitySizes,
  capacityPlanSchema,
  type DatasetQuotas,
  planCapacity,
} from "./plan/capacity";
export { type CapacityChartOptions, capacityChartSvg } from "./plan/chart";
export { isHostname } from "./validation/names";
