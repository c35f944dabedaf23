import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { AuthRecord, dkimRecordSchema, dnsAuthSchema } from "../dns/auth-records";
import { quotedTxt } from "../dns/txt";
import { zoneFile } from "../dns/zone-file";
import { checkWithSchema, failureText } from "../providers/check";

/** A DKIM public key record to publish, usually from an {@link OpenDkimKey}'s outputs. */
export type DkimRecordArgs = z.input<typeof dkimRecordSchema> & {
  /** The TXT value, `v=DKIM1; k=rsa; p=...` (OpenDkimKey's `dkimRecordValue`). */
  value: pulumi.Input<string>;
};

/** dnsAuthSchema's fields as written, but `dkim`, whose entries the component adds a value to (Omit would reorder them). */
type SchemaFields = z.input<typeof dnsAuthSchema>;
type PlainFields = { [K in keyof SchemaFields as Exclude<K, "dkim">]: SchemaFields[K] };

/** The zone of `domain`, first among the arguments (an output, which the schema never sees). */
interface DomainZone {
  /** Cloudflare zone id of `domain`. */
  zoneId: pulumi.Input<string>;
}

/** The arguments the component handles itself: the reverse zone's id and the DKIM values are outputs. */
interface ComponentFields {
  /** Cloudflare zone id of `ptrZone`. Without both, `ptrRequests` says what to ask the network owner for. */
  ptrZoneId?: pulumi.Input<string>;
  /** DKIM key records, one per selector. */
  dkim?: DkimRecordArgs[];
}

/**
 * Arguments of {@link DnsAuthRecords}, derived from `dnsAuthSchema`. Everything but the zone ids and the DKIM
 * values is plain data, checked at preview.
 */
export type DnsAuthRecordsArgs = DomainZone & PlainFields & ComponentFields;

/**
 * The DNS side of the guide: SPF, DKIM, ADSP and DMARC TXT records, the mail
 * host's A/AAAA records and, when the reverse zone is given, its PTR records,
 * written to Cloudflare. The same records are also an output in BIND
 * zone-file form. Arguments are validated when the program runs, so a bad
 * policy fails the preview with the field named.
 */
export class DnsAuthRecords extends pulumi.ComponentResource {
  /** The records as BIND zone-file lines for the domain's zone. */
  readonly zoneFile: pulumi.Output<string>;
  /** PTR records as BIND zone-file lines for the reverse zone (empty without `ptrZone`). */
  readonly reverseZoneFile: pulumi.Output<string>;
  /** What to ask the network owner for, one sentence per address, when PTR records are not ours to write. */
  readonly ptrRequests: pulumi.Output<string[]>;
  /** The SPF record text. */
  readonly spfRecord: pulumi.Output<string>;
  /** The DMARC record text (empty when none). */
  readonly dmarcRecord: pulumi.Output<string>;

  /**
   * @param name the component name; children are named `<name>-<record>`.
   * @param args the records to publish; see {@link DnsAuthRecordsArgs}.
   * @param opts component options.
   */
  constructor(name: string, args: DnsAuthRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("smartos-mail:dns:DnsAuthRecords", name, {}, opts);
    // The checks (zod) and the Cloudflare provider load when a program builds the component, not when
    // it requires the package (issue 16).
    const { authRecords, dnsAuthSchema, ptrRequests } =
      require("../dns/auth-records") as typeof import("../dns/auth-records");
    const { todayUtc } = require("../validation/dates") as typeof import("../validation/dates");
    const { zoneId, ptrZoneId, dkim = [], ...plain } = args;
    const checked = checkWithSchema(dnsAuthSchema, {
      ...plain,
      dkim: dkim.map(({ value: _value, ...rest }) => rest),
    });
    if (checked.failures) {
      throw new Error(`DnsAuthRecords ${name}: ${checked.failures.map(failureText).join("; ")}`);
    }
    if ((args.ptrZone === undefined) !== (ptrZoneId === undefined)) {
      throw new Error(`DnsAuthRecords ${name}: ptrZone and ptrZoneId go together; set both or neither`);
    }
    const spec = dnsAuthSchema.parse(checked.inputs);
    const today = spec.today ?? todayUtc();
    // Which records exist is known at preview; only DKIM values wait on their keys.
    const shape = authRecords(
      spec,
      dkim.map(() => "v=DKIM1; p=preview"),
      today,
    );
    if (spec.adopt && typeof zoneId !== "string") {
      throw new Error(
        `DnsAuthRecords ${name}: adopt needs zoneId as a plain string (the import id is <zoneId>/<recordId>)`,
      );
    }
    const records = pulumi.all(dkim.map((d) => d.value)).apply((values) => authRecords(spec, values, today));
    const at = (i: number) => records.apply((r) => r[i]);
    const cloudflare = require("@pulumi/cloudflare") as typeof import("@pulumi/cloudflare");
    const { checkedZoneId } = require("./zone-lookups") as typeof import("./zone-lookups");
    const { MANAGED_COMMENT } = require("../dns/zone-checks") as typeof import("../dns/zone-checks");
    const adopted: Record<string, string | undefined> = { spf: spec.adopt?.spf, dmarc: spec.adopt?.dmarc };
    const dnsRecord = (r: AuthRecord, recordZone: pulumi.Input<string>, dependsOn: pulumi.Resource[]) =>
      new cloudflare.DnsRecord(
        `${name}-${r.key}`,
        {
          zoneId: recordZone,
          name: r.name,
          type: r.type,
          // Only a DKIM record waits for its key's value: the others are known at preview, so an update of
          // a key (whose outputs preview cannot know) does not show every record of the domain as changing.
          content: (r.key.startsWith("dkim-") ? at(shape.indexOf(r)) : pulumi.output(r)).apply((x: AuthRecord) =>
            x.type === "TXT" ? quotedTxt(x.content) : x.content,
          ),
          ttl: spec.ttl,
          comment: MANAGED_COMMENT,
        },
        {
          parent: this,
          dependsOn,
          // Stacks made before records were keyed by content (0.1.0) hold them under their list position.
          aliases: r.positionalKey ? [{ name: `${name}-${r.positionalKey}` }] : [],
          ...(adopted[r.key] === undefined ? {} : { import: `${zoneId}/${adopted[r.key]}` }),
        },
      );
    // The SPF record (every stack has one) waits for the zone checks, and every other record waits for it:
    // a failed check writes nothing.
    const spf = dnsRecord(
      shape.find((r) => r.key === "spf") as AuthRecord,
      checkedZoneId(cloudflare, this, name, spec, zoneId, ptrZoneId),
      [],
    );
    for (const r of shape.filter((x) => x.key !== "spf")) {
      dnsRecord(r, r.reverse ? (ptrZoneId as pulumi.Input<string>) : zoneId, [spf]);
    }
    this.zoneFile = records.apply((r) =>
      zoneFile(
        r.filter((x) => !x.reverse),
        spec.ttl,
      ),
    );
    this.reverseZoneFile = records.apply((r) =>
      zoneFile(
        r.filter((x) => x.reverse),
        spec.ttl,
      ),
    );
    this.ptrRequests = pulumi.output(ptrRequests(spec));
    this.spfRecord = records.apply((r) => r.find((x) => x.key === "spf")?.content ?? "");
    this.dmarcRecord = records.apply((r) => r.find((x) => x.key === "dmarc")?.content ?? "");
    this.registerOutputs({
      zoneFile: this.zoneFile,
      reverseZoneFile: this.reverseZoneFile,
      ptrRequests: this.ptrRequests,
      spfRecord: this.spfRecord,
      dmarcRecord: this.dmarcRecord,
    });
  }
}
