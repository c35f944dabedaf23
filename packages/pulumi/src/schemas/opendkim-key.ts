import { z } from "zod";
import type { Live } from "../dkim/opendkim-host";
import { connectionSchema } from "../remote/connection-schema";
import { platformSchema } from "../remote/platform";
import { dnsLabel, fqdn, isHostname } from "../validation/names";
import { parseCidr } from "../validation/networks";

const selector = dnsLabel;

const trustedHost = z.string().refine((v) => parseCidr(v) !== undefined || (!v.includes("/") && isHostname(v)), {
  message: "must be an IP address, a CIDR such as 10.0.0.0/8, or a host name",
});

/** zod schema of OpenDkimKey's inputs: `check` validates with it, the arguments' type derives from it. */
export const openDkimKeySchema = z
  .object({
    /** How to reach the host running Postfix, with its pinned host key. */
    connection: connectionSchema,
    /** Host flavour: `smartos` (pkgsrc, SMF; default) or `linux` (Debian/Ubuntu, also lx zones). */
    profile: platformSchema,
    /** The domain whose mail this key signs (`d=`), e.g. `example.com`; `*@domain` in the SigningTable. */
    domain: fqdn,
    /** The selector (`s=`); the public key is published at `<selector>._domainkey.<domain>`. The guide uses `default`. */
    selector,
    /** RSA key size: 2048 (default, as the guide), 3072 or 4096. Smaller keys are refused. */
    bits: z
      .number()
      .refine((b) => b === 2048 || b === 3072 || b === 4096, {
        message: "must be 2048, 3072 or 4096: RSA keys under 2048 bits are refused (RFC 8301 says 1024 is too weak)",
      })
      .default(2048),
    /**
     * A second selector for an Ed25519 key that signs beside the RSA key (RFC 8463 dual signing).
     * Refused at apply time, with the reason, when the host's OpenDKIM cannot: OpenDKIM 2.11.0 and
     * older (Debian 12, pkgsrc) sign every key with one algorithm, so they cannot dual-sign.
     */
    ed25519Selector: selector.optional(),
    /**
     * Whether this key signs mail. Default true. Set false to install a new key
     * and publish its record ahead of a rotation; see the README's rotation steps.
     */
    signing: z.boolean().default(true),
    /**
     * Only switch signing on once DNS serves this key's record, as
     * `opendkim-testkey` on the host sees it; until then `pulumi up` fails
     * with a message saying so. Default false. Use it when rotating keys.
     */
    requirePublished: z.boolean().default(false),
    /** Hosts whose mail OpenDKIM signs, beyond 127.0.0.1 and ::1 (the guide's TrustedHosts), e.g. a relaying network. */
    trustedHosts: z.array(trustedHost).default([]),
    /**
     * Names under `domain` whose mail this key also signs, still as `d=<domain>`: e.g. the host name
     * `mx.example.com`, which the mail the host sends itself (root, cron, the daily report) comes from. DMARC's
     * relaxed alignment (`adkim=r`, the default) takes `d=example.com` as aligned with From
     * `root@mx.example.com`. `*@<name>` in the SigningTable. Default none.
     */
    subdomains: z.array(fqdn.transform((v) => v.toLowerCase())).default([]),
  })
  .strict()
  .refine((v) => v.ed25519Selector !== v.selector, {
    message: "must differ from selector: each key needs its own DNS record",
    path: ["ed25519Selector"],
  })
  .superRefine((v, ctx) => {
    v.subdomains.forEach((name, i) => {
      // A name that is no host name has its own issue already.
      if (!isHostname(name)) return;
      if (!name.endsWith(`.${v.domain.toLowerCase()}`)) {
        ctx.addIssue({
          code: "custom",
          path: ["subdomains", i],
          message: `${name} is not under ${v.domain}: a d=${v.domain} signature aligns only with From addresses in ${v.domain} or below (DMARC relaxed alignment); sign its mail with a key of its own domain`,
        });
      } else if (v.subdomains.indexOf(name) < i) {
        ctx.addIssue({ code: "custom", path: ["subdomains", i], message: `${name} is listed twice` });
      }
    });
  });

/** Validated OpenDkimKey inputs with defaults applied. */
export type OpenDkimKeyInputs = z.output<typeof openDkimKeySchema>;

/** What the provider stores: the inputs, the generated keys and their records, and what is live on the host. */
export interface OpenDkimKeyState extends OpenDkimKeyInputs {
  /** PEM of the RSA private key (a Pulumi secret). */
  privateKey: string;
  /** `<selector>._domainkey.<domain>`. */
  dkimRecordName: string;
  /** `v=DKIM1; k=rsa; p=...`. */
  dkimRecordValue: string;
  /** PEM of the Ed25519 private key (a Pulumi secret), with `ed25519Selector`. */
  ed25519PrivateKey?: string;
  /** `<ed25519Selector>._domainkey.<domain>`. */
  ed25519RecordName?: string;
  /** `v=DKIM1; k=ed25519; p=...`. */
  ed25519RecordValue?: string;
  /** What was found on the host after the last change or refresh. */
  live: Live;
}
