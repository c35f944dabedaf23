/**
 * Entry point the serialized dynamic providers load inside the engine's
 * provider host (see `providers/dynamic.ts`). Not part of the public API.
 */
// First: the modules imported after it load through Node.js's compile cache.
import "./enable-compile-cache";
import * as nodeModule from "node:module";
import type * as pulumi from "@pulumi/pulumi";
import { deliveryFeedbackProvider } from "./providers/delivery-feedback";
import { inboundSmtpFirewallProvider } from "./providers/inbound-smtp-firewall";
import { mailArchiveProvider } from "./providers/mail-archive";
import { mailLogReportProvider } from "./providers/mail-log-report";
import { openDkimKeyProvider } from "./providers/opendkim-key";
import { postfixConfigProvider } from "./providers/postfix-config";
import { rateLimitTransportProvider } from "./providers/rate-limit-transport";
import { smartOsZoneProvider } from "./providers/smartos-zone";
import { zoneDatasetsProvider } from "./providers/zone-datasets";
import type { ResourceKind } from "./resources/kinds";

// Node.js writes the compile cache at exit, which this process never reaches: the engine stops a plugin
// with SIGINT to its process group (the SDK's cmdutil.TerminateProcessGroup), and Node.js dies of the
// signal. So write it now that the providers are loaded (Node.js 22.10 and later; nothing when the cache
// is off). With NODE_COMPILE_CACHE set this also keeps the SDK's modules, which the plugin loaded first.
nodeModule.flushCompileCache?.();

/** Hook implementations by resource kind. */
export const providers: Record<ResourceKind, pulumi.dynamic.ResourceProvider> = {
  postfixConfig: postfixConfigProvider,
  openDkimKey: openDkimKeyProvider,
  rateLimitTransport: rateLimitTransportProvider,
  inboundSmtpFirewall: inboundSmtpFirewallProvider,
  mailArchive: mailArchiveProvider,
  mailLogReport: mailLogReportProvider,
  deliveryFeedback: deliveryFeedbackProvider,
  smartOsZone: smartOsZoneProvider,
  zoneDatasets: zoneDatasetsProvider,
};
