import { checkAdsp } from "./adsp";
import { checkDkim } from "./dkim";
import { checkDmarc } from "./dmarc";
import type { Dns } from "./dns";
import { checkDnsbl, type DnsblZones } from "./dnsbl";
import { checkHeloSpf } from "./helo";
import type { Finding } from "./result";
import { checkReverseDns } from "./reverse";
import { sendingAddresses } from "./senders";
import { checkSpf } from "./spf";

/** What `check` looks at besides the domain. */
export interface DomainCheckOptions {
  /** DKIM selectors to look up (DNS cannot list them). */
  selectors: readonly string[];
  /** The sending host's name (Postfix's myhostname); default: the hosts the domain's SPF record names. */
  mailHost?: string;
  /** Blocklists to ask about the sending addresses and the domain; none when absent. */
  dnsbl?: DnsblZones;
  /** Called before each part, for a progress line. */
  onStep?: (what: string) => void;
}

/**
 * Every finding for a sending domain, in the guide's order: SPF, DKIM, ADSP,
 * DMARC; then the sending addresses, their reverse DNS, SPF at the HELO names
 * and, when asked, the blocklists.
 */
export async function checkDomain(dns: Dns, domain: string, options: DomainCheckOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  const step = async (what: string, run: () => Promise<Finding[]>) => {
    options.onStep?.(`checking ${what} of ${domain}...`);
    findings.push(...(await run()));
  };
  await step("SPF", () => checkSpf(dns, domain));
  await step("DKIM", () => checkDkim(dns, domain, options.selectors));
  await step("ADSP", () => checkAdsp(dns, domain));
  await step("DMARC", () => checkDmarc(dns, domain));
  options.onStep?.(`finding the sending hosts of ${domain}...`);
  const senders = await sendingAddresses(dns, domain, options.mailHost);
  findings.push(senders.finding);
  let heloNames: string[] = options.mailHost !== undefined ? [options.mailHost] : [];
  await step("reverse DNS", async () => {
    const reverse = await checkReverseDns(dns, senders.addresses, options.mailHost);
    if (options.mailHost === undefined) heloNames = reverse.names;
    return reverse.findings;
  });
  await step("SPF at the HELO name", () => checkHeloSpf(dns, heloNames));
  const zones = options.dnsbl;
  if (zones !== undefined) {
    await step("blocklists", () =>
      checkDnsbl(
        dns,
        domain,
        senders.addresses.map((s) => s.address),
        zones,
      ),
    );
  }
  return findings;
}
