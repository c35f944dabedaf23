import { previewCorpus } from "../harness/corpus-preview";

previewCorpus({ host: "rscpf2", index: 83, parts: [{ resource: "PostfixConfig", from: 46, to: 93 }], control: true });
