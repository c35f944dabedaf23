import { previewCorpus } from "../harness/corpus-preview";

previewCorpus({ host: "shcorp", index: 153, parts: [{ resource: "DeliveryFeedback", to: 28 }] });
