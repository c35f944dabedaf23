import { previewCorpus } from "../harness/corpus-preview";

previewCorpus({ host: "rscpf3", index: 98, parts: [{ resource: "PostfixConfig", from: 93 }] });
