import { previewCorpus } from "../harness/corpus-preview";

previewCorpus({ host: "rscrl", index: 86, parts: [{ resource: "RateLimitTransport" }] });
