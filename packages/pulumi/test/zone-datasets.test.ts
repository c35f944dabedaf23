import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { capacityPlanSchema } from "../src/plan/capacity";
import { UNKNOWN } from "../src/providers/check";
import { zoneDatasetsProvider } from "../src/providers/zone-datasets";
import { quotasOf, zoneDatasetsSchema } from "../src/schemas/zone-datasets";
import {
  createLayout,
  cruftDirs,
  layoutFor,
  modeOfPermissions,
  parseLayout,
  parseRemoved,
  removeLayout,
} from "../src/smartos/datasets";
import { checkReasons, testConnection } from "./support/check-inputs";

const connection = testConnection("198.18.0.37");
const ZONE = "1f2977ae-56bd-4730-8d72-99b03cb40ddb";
const GIB = 1024 ** 3;
/** The guide's model: sending, receiving and a 36-month archive. */
const guidePlan = { sentGbPerMonth: 5, receivedGbPerMonth: 10, monthlyGrowth: 1.1, archiveMonths: 36 };

const reasons = checkReasons(zoneDatasetsProvider, { connection, zoneUuid: ZONE });

describe("ZoneDatasets check", () => {
  it("accepts the guide's quotas", async () => {
    assert.deepEqual(await reasons({ mailQuota: 980, spoolQuota: 10 }), []);
  });

  it("needs a mail quota unless a capacity plan gives one", async () => {
    assert.deepEqual(await reasons({}), [
      "mailQuota: is required without capacityPlan: give the mail dataset's quota in GiB (the guide's 980 for a 1000 GiB zone)",
    ]);
    assert.deepEqual(await reasons({ capacityPlan: { sentGbPerMonth: 5, monthlyGrowth: 1.1 } }), []);
  });

  it("refuses a spool quota larger than the mail dataset it lives in", async () => {
    assert.deepEqual(await reasons({ mailQuota: 10, spoolQuota: 20 }), [
      "spoolQuota: 20 GiB is more than the mail dataset's 10 GiB; the spool dataset lives inside it",
    ]);
  });

  it("refuses a mail quota that does not fit in the zone quota, which counts the delegated datasets", async () => {
    assert.deepEqual(await reasons({ mailQuota: 980, spoolQuota: 10, zoneQuota: 1000 }), []);
    assert.deepEqual(await reasons({ mailQuota: 980, zoneQuota: 0 }), [], "0 is no zone quota");
    assert.deepEqual(await reasons({ mailQuota: 980, spoolQuota: 10, zoneQuota: 500 }), [
      "mailQuota: 980 GiB (the spool's 10 GiB inside it) does not fit in the zone quota of 500 GiB: the delegated datasets count against the zone quota (vmadm sets it on zones/<uuid>); lower mailQuota to at most 500 GiB or raise the zone's manifest.quota to at least 980 GiB",
    ]);
    const plan = { sentGbPerMonth: 5, monthlyGrowth: 1.1 };
    const [withPlan] = await reasons({ mailQuota: 990, capacityPlan: plan, zoneQuota: 1000 });
    assert.match(
      withPlan,
      /^mailQuota: 990 GiB \(the spool's \d+ GiB inside it\) does not fit in the zone quota of 1000 GiB less the plan's system reserve of 20 GiB: .* at most 980 GiB or raise the zone's manifest\.quota to at least 1010 GiB$/,
    );
    const [fromPlan] = await reasons({ capacityPlan: plan, zoneQuota: 10 });
    assert.match(
      fromPlan,
      /^capacityPlan: the capacity plan's recommended mail quota of \d+ GiB .* zone quota of 10 GiB/,
    );
  });

  it("refuses a bad zone UUID and fractional quotas", async () => {
    assert.match((await reasons({ zoneUuid: "zone1", mailQuota: 980 }))[0], /^zoneUuid: must be the zone's UUID/);
    assert.match((await reasons({ mailQuota: 9.5 }))[0], /^mailQuota: must be a whole number of GiB/);
  });

  it("with the guide's full model, its 980 GB mail quota is below the plan, and says by how much", async () => {
    const [mail] = await reasons({ mailQuota: 980, spoolQuota: 10, capacityPlan: guidePlan });
    assert.match(
      mail,
      /^mailQuota: the mail dataset \(\/var\/mail\) quota of 980 GB is less than the \d{4}\.\d GB the capacity plan needs there \(mailboxes [\d.]+ GB \+ archives [\d.]+ GB \+ queue 8\.3 GB\)/,
    );
  });

  it("takes the plan's recommendations as default quotas, and the guide's 10 GiB spool without a plan", () => {
    assert.deepEqual(quotasOf({ capacityPlan: capacityPlanSchema.parse({ sentGbPerMonth: 5, monthlyGrowth: 1.1 }) }), {
      mail: 10,
      spool: 10,
    });
    assert.deepEqual(quotasOf({ mailQuota: 980 }), { mail: 980, spool: 10 });
  });
});

describe("ZoneDatasets diff", () => {
  const datasets = layoutFor(ZONE);
  const live = parseLayout(
    [
      `${datasets.root}\tmountpoint\tnone\tlocal`,
      `${datasets.mail}\tquota\t${980 * GIB}\tlocal`,
      `${datasets.mail}\tmountpoint\t/var/mail\tlocal`,
      `${datasets.spool}\tquota\t${10 * GIB}\tlocal`,
    ].join("\n"),
    datasets,
  );
  const olds = {
    ...zoneDatasetsSchema.parse({ connection, zoneUuid: ZONE, mailQuota: 980, spoolQuota: 10 }),
    live,
    previous: { rootMountpoint: { mountpoint: `/zones/${ZONE}/data`, source: "default" }, removed: [] },
    datasets,
  };
  const diff = (news: Record<string, unknown>) =>
    zoneDatasetsProvider.diff!("id", olds, { __provider: "p", connection, zoneUuid: ZONE, ...news });

  it("reports no change when the quotas match", async () => {
    assert.equal((await diff({ mailQuota: 980, spoolQuota: 10 })).changes, false);
  });

  it("reads a value not known during preview as a possible change, replacing for a replaceOn field", async () => {
    assert.deepEqual(await diff({ mailQuota: UNKNOWN, spoolQuota: 10 }), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
    });
    assert.deepEqual((await diff({ zoneUuid: UNKNOWN, mailQuota: 980 })).replaces, ["zoneUuid"]);
  });

  it("changes quotas in place", async () => {
    assert.deepEqual(await diff({ mailQuota: 990, spoolQuota: 10 }), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
    });
  });

  it("replaces the layout for another zone", async () => {
    assert.deepEqual((await diff({ zoneUuid: "5e1d7e57-0000-4000-8000-00000000b002", mailQuota: 980 })).replaces, [
      "zoneUuid",
    ]);
  });
});

describe("dataset layout helpers", () => {
  it("names the guide's datasets", () => {
    assert.deepEqual(layoutFor(ZONE), {
      root: `zones/${ZONE}/data`,
      mail: `zones/${ZONE}/data/mail`,
      spool: `zones/${ZONE}/data/mail/postfix`,
    });
  });

  it("removes the leftover mountpoint before its parents (the guide's rmdir -p /zones/$UUID misses it)", () => {
    assert.deepEqual(cruftDirs(ZONE), [
      `/zones/${ZONE}/data`,
      `/zones/${ZONE}`,
      "/zones",
      "/var/mail/:saved",
      "/var/spool/postfix/etc",
    ]);
  });

  it("reads octal modes from ls -l permissions, special bits included", () => {
    assert.deepEqual(
      ["drwxr-sr-x", "drwxrwxrwt", "drwx------", "-rwsr-xr-x", "drwxr-S---", "drwxrwxrwT"].map(modeOfPermissions),
      ["2755", "1777", "700", "4755", "2740", "1776"],
    );
  });

  it("parses the removed directories and the zfs get output", () => {
    assert.deepEqual(parseRemoved("drwxr-sr-x 0 12 /var/mail/:saved\ndrwxr-xr-x 0 0 /var/spool/postfix/etc\n"), [
      { path: "/var/mail/:saved", mode: "2755", uid: 0, gid: 12 },
      { path: "/var/spool/postfix/etc", mode: "755", uid: 0, gid: 0 },
    ]);
    const datasets = layoutFor(ZONE);
    const live = parseLayout(
      `${datasets.mail}\tquota\t${980 * GIB}\tlocal\n${datasets.mail}\tmounted\tyes\t-\n${datasets.mail}\tmountpoint\t/var/mail\tlocal\n`,
      datasets,
    );
    assert.deepEqual(live.mail, {
      exists: true,
      mountpoint: "/var/mail",
      mountpointSource: "local",
      quota: 980 * GIB,
      mounted: true,
    });
    assert.equal(live.spool.exists, false);
  });

  it("quotes every dataset, path and quota in the scripts", () => {
    const create = createLayout(ZONE, { mail: 980, spool: 10 }).text;
    assert.match(create, /-o 'quota=980G' -o mountpoint="\$dir"/);
    assert.match(create, new RegExp(`ds='zones/${ZONE}/data/mail/postfix'`));
    const remove = removeLayout(ZONE, { mountpoint: `/zones/${ZONE}/data`, source: "default" }, [
      { path: "/var/mail/:saved", mode: "2755", uid: 0, gid: 12 },
    ]).text;
    assert.match(remove, new RegExp(`zfs inherit mountpoint 'zones/${ZONE}/data'`));
    assert.match(remove, /mkdir '\/var\/mail\/:saved' && chmod '2755' '\/var\/mail\/:saved' && chown '0:12'/);
    const local = removeLayout(ZONE, { mountpoint: "/srv/data", source: "local" }, []).text;
    assert.match(local, /zfs set 'mountpoint=\/srv\/data'/);
  });
});
