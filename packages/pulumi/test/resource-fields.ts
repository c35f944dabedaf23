import type { z } from "zod";
import { connectionSchema } from "../src/remote/connection";
import { inboundSmtpFirewallSchema } from "../src/schemas/inbound-smtp-firewall";
import { mailArchiveSchema } from "../src/schemas/mail-archive";
import { mailLogReportSchema } from "../src/schemas/mail-log-report";

/** Each argument type the README documents, with the schema it derives from. Add a resource here. */
export const DOCUMENTED_ARGS: { args: string; schema: z.ZodType }[] = [
  { args: "ConnectionArgs", schema: connectionSchema },
  { args: "InboundSmtpFirewallArgs", schema: inboundSmtpFirewallSchema },
  { args: "MailArchiveArgs", schema: mailArchiveSchema },
  { args: "MailLogReportArgs", schema: mailLogReportSchema },
];
