import { previewCorpus } from "../harness/corpus-preview";

previewCorpus({ host: "rscar", index: 88, parts: [{ resource: "MailArchive" }] });
