import type { z } from "zod";
import { connectionSchema } from "../src/remote/connection";
import { inboundSmtpFirewallSchema } from "../src/schemas/inbound-smtp-firewall";
import { openDkimKeySchema } from "../src/schemas/opendkim-key";
import { rateLimitSchema } from "../src/schemas/rate-limit-transport";

/** Each argument type the README documents, with the schema it derives from. Add a resource here. */
export const DOCUMENTED_ARGS: { args: string; schema: z.ZodType }[] = [
  { args: "ConnectionArgs", schema: connectionSchema },
  { args: "InboundSmtpFirewallArgs", schema: inboundSmtpFirewallSchema },
  { args: "OpenDkimKeyArgs", schema: openDkimKeySchema },
  { args: "RateLimitTransportArgs", schema: rateLimitSchema },
];
