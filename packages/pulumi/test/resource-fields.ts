import type { z } from "zod";
import { dnsAuthSchema } from "../src/dns/auth-records";
import { connectionSchema } from "../src/remote/connection-schema";
import { deliveryFeedbackSchema } from "../src/schemas/delivery-feedback";
import { inboundSmtpFirewallSchema } from "../src/schemas/inbound-smtp-firewall";
import { mailArchiveSchema } from "../src/schemas/mail-archive";
import { mailLogReportSchema } from "../src/schemas/mail-log-report";
import { openDkimKeySchema } from "../src/schemas/opendkim-key";
import { postfixConfigSchema } from "../src/schemas/postfix-config";
import { rateLimitSchema } from "../src/schemas/rate-limit-transport";
import { smartOsZoneSchema } from "../src/schemas/smartos-zone";
import { zoneDatasetsSchema } from "../src/schemas/zone-datasets";

/**
 * Each argument type the README documents, with the schema it derives from. Add a resource here.
 * `classOnly` lists fields (by row path, nested ones too: `dkim[].value`) the resource class
 * handles itself and never sends to the provider or its schema, so the schema has no such field;
 * they (and their nested fields) must still be documented rows.
 */
export const DOCUMENTED_ARGS: { args: string; schema: z.ZodType; classOnly?: string[] }[] = [
  { args: "ConnectionArgs", schema: connectionSchema },
  { args: "InboundSmtpFirewallArgs", schema: inboundSmtpFirewallSchema },
  { args: "PostfixConfigArgs", schema: postfixConfigSchema },
  // zoneSsh: the class builds `zoneConnection` from it and takes its port as readinessPort's default.
  { args: "SmartOsZoneArgs", schema: smartOsZoneSchema, classOnly: ["zoneSsh"] },
  { args: "ZoneDatasetsArgs", schema: zoneDatasetsSchema },
  { args: "OpenDkimKeyArgs", schema: openDkimKeySchema },
  { args: "RateLimitTransportArgs", schema: rateLimitSchema },
  { args: "MailArchiveArgs", schema: mailArchiveSchema },
  { args: "MailLogReportArgs", schema: mailLogReportSchema },
  { args: "DeliveryFeedbackArgs", schema: deliveryFeedbackSchema },
  // A component: the zone ids and the DKIM values are outputs it passes to Cloudflare, never to dnsAuthSchema.
  { args: "DnsAuthRecordsArgs", schema: dnsAuthSchema, classOnly: ["zoneId", "ptrZoneId", "dkim[].value"] },
];
