import * as pulumi from "@pulumi/pulumi";
import { type DnsAuth, hostSpfName } from "../dns/auth-records";
import { foreignSingleRecords, type SingleRecords, type ZoneRecord, zoneMismatch } from "../dns/zone-checks";

type Cloudflare = typeof import("@pulumi/cloudflare");

/**
 * `zoneId`, once preview has checked the zones with Cloudflare's data sources: `domain` must be the zone
 * `zoneId` names or inside it, `ptrZone` likewise for `ptrZoneId`, and no SPF or DMARC record the stack does
 * not manage may sit where the stack writes its own (unless `adopt` names it). A failed check rejects with
 * one error naming the component, which fails the program (the SDK reports a rejected input once) before the
 * record that takes its zone id from here, and the records that depend on it, are written. An id not known
 * at preview is checked at `up`.
 */
export function checkedZoneId(
  cloudflare: Cloudflare,
  component: pulumi.ComponentResource,
  name: string,
  spec: DnsAuth,
  zoneId: pulumi.Input<string>,
  ptrZoneId: pulumi.Input<string> | undefined,
): pulumi.Output<string> {
  const hostSpf = hostSpfName(spec);
  const wanted: SingleRecords = {
    spf: { name: spec.domain, adopt: spec.adopt?.spf },
    ...(hostSpf === undefined ? {} : { hostSpf: { name: hostSpf, adopt: spec.adopt?.hostSpf } }),
    ...(spec.dmarc === false ? {} : { dmarc: { name: `_dmarc.${spec.domain}`, adopt: spec.adopt?.dmarc } }),
  };
  const txtAt = (name: string) =>
    cloudflare.getDnsRecordsOutput({ zoneId, type: "TXT", name: { exact: name } }).results;
  const found = pulumi.all(Object.values(wanted).map((w) => txtAt(w.name)));
  const reverseZone =
    spec.ptrZone === undefined || ptrZoneId === undefined ? "" : cloudflare.getZoneOutput({ zoneId: ptrZoneId }).name;
  return pulumi
    .all([zoneId, cloudflare.getZoneOutput({ zoneId }).name, found, reverseZone])
    .apply(([id, zoneName, records, reverseName]) => {
      const problem =
        zoneMismatch("domain", spec.domain, "zoneId", zoneName) ??
        (spec.ptrZone && reverseName ? zoneMismatch("ptrZone", spec.ptrZone, "ptrZoneId", reverseName) : undefined) ??
        foreignSingleRecords(zoneName, wanted, records.flat() as ZoneRecord[]);
      // Reported once, against the component, without a stack (the SDK's uncaught-error handler).
      if (problem) throw new pulumi.ResourceError(`DnsAuthRecords ${name}: ${problem}`, component, true);
      return id;
    });
}
