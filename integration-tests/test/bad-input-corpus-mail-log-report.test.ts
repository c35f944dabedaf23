import { previewCorpus } from "../harness/corpus-preview";

previewCorpus({ host: "rsclr", index: 89, parts: [{ resource: "MailLogReport" }] });
