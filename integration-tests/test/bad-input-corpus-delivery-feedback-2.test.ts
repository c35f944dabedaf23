import { previewCorpus } from "../harness/corpus-preview";

previewCorpus({ host: "shcorp2", index: 154, parts: [{ resource: "DeliveryFeedback", from: 28 }] });
