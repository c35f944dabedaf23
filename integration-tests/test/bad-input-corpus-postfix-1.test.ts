import { previewCorpus } from "../harness/corpus-preview";

previewCorpus({ host: "rscpf1", index: 82, parts: [{ resource: "PostfixConfig", to: 46 }] });
