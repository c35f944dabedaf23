import { checkAdsp } from "./adsp";
import { checkDkim } from "./dkim";
import { checkDmarc } from "./dmarc";
import type { Dns } from "./dns";
import type { Finding } from "./result";
import { checkReverseDns } from "./reverse";
import { checkSpf } from "./spf";

/** What `check` looks at besides the domain. */
export interface DomainCheckOptions {
  /** DKIM selectors to look up (DNS cannot list them). */
  selectors: readonly string[];
  /** The sending host's name (Postfix's myhostname); default: the domain's MX hosts. */
  mailHost?: string;
  /** Called before each part, for a progress line. */
  onStep?: (what: string) => void;
}

/** Every finding for a sending domain, in the guide's order: SPF, DKIM, ADSP, DMARC, reverse DNS. */
export async function checkDomain(dns: Dns, domain: string, options: DomainCheckOptions): Promise<Finding[]> {
  const steps: [string, () => Promise<Finding[]>][] = [
    ["SPF", () => checkSpf(dns, domain)],
    ["DKIM", () => checkDkim(dns, domain, options.selectors)],
    ["ADSP", () => checkAdsp(dns, domain)],
    ["DMARC", () => checkDmarc(dns, domain)],
    ["reverse DNS", () => checkReverseDns(dns, domain, options.mailHost)],
  ];
  const findings: Finding[] = [];
  for (const [what, run] of steps) {
    options.onStep?.(`checking ${what} of ${domain}...`);
    findings.push(...(await run()));
  }
  return findings;
}
