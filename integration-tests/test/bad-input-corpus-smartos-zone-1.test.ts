import { previewCorpus } from "../harness/corpus-preview";

previewCorpus({
  host: "rsczn1",
  index: 84,
  parts: [{ resource: "SmartOsZone", to: 50 }, { resource: "ZoneDatasets" }],
});
