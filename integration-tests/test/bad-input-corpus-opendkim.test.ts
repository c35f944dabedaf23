import { previewCorpus } from "../harness/corpus-preview";

previewCorpus({ host: "rscdk", index: 87, parts: [{ resource: "OpenDkimKey" }] });
