import type { z } from "zod";
import { connectionSchema } from "../src/remote/connection";
import { inboundSmtpFirewallSchema } from "../src/schemas/inbound-smtp-firewall";
import { postfixConfigSchema } from "../src/schemas/postfix-config";

/** Each argument type the README documents, with the schema it derives from. Add a resource here. */
export const DOCUMENTED_ARGS: { args: string; schema: z.ZodType }[] = [
  { args: "ConnectionArgs", schema: connectionSchema },
  { args: "InboundSmtpFirewallArgs", schema: inboundSmtpFirewallSchema },
  { args: "PostfixConfigArgs", schema: postfixConfigSchema },
];
