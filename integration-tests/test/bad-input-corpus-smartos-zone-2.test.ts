import { previewCorpus } from "../harness/corpus-preview";

previewCorpus({
  host: "rsczn2",
  index: 85,
  parts: [{ resource: "SmartOsZone", from: 50 }, { resource: "InboundSmtpFirewall" }],
});
