import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scriptSha256 } from "../src/archive/rotation-script";
import { UNKNOWN } from "../src/providers/check";
import { archiveRotationScript, localArchive, mailArchiveProvider } from "../src/providers/mail-archive";
import { STATE_VERSION } from "../src/providers/state-version";
import { mailArchiveSchema } from "../src/schemas/mail-archive";
import { checkReasons, refusesEach, testConnection } from "./support/check-inputs";

const connection = testConnection("198.18.0.40");
const reasons = checkReasons(mailArchiveProvider, { connection });

describe("MailArchive check", () => {
  refusesEach(reasons, [
    ["an address with capitals", { address: "MailArchive@localhost" }, /^address: must be a local address/],
    ["two addresses", { address: "a@localhost, b@localhost" }, /^address: /],
    ["an address without a domain", { address: "mailarchive" }, /^address: /],
    ["a shell substitution as the address", { address: "$(reboot)@localhost" }, /^address: /],
    ["a relative directory", { directory: "var/mail/archive" }, /^directory: must be an absolute path/],
    ["a directory with ..", { directory: "/var/mail/../../etc" }, /^directory: .*no \. or \.\. parts/],
    ["a directory with a space", { directory: "/var/mail/my archive" }, /^directory: /],
    ["the root directory", { directory: "/" }, /^directory: /],
    ["a hold file with a quote", { holdFile: "/var/mail/archive/h'old" }, /^holdFile: /],
    ["a script path with a percent sign (cron's newline)", { scriptPath: "/root/a%b.sh" }, /^scriptPath: /],
    [
      "a dataset quota on Linux",
      { profile: "linux", quotaGiB: 10 },
      /^quotaGiB: .*only profile smartos has \(this is linux\)/,
    ],
    ["a zero dataset quota", { quotaGiB: 0 }, /^quotaGiB: must be at least 1 GiB/],
    ["a fractional dataset quota", { quotaGiB: 0.5 }, /^quotaGiB: must be a whole number of GiB/],
    ["zero retention days", { retentionDays: 0 }, /^retentionDays: must be at least 1 day/],
    ["fractional retention days", { retentionDays: 1.5 }, /^retentionDays: must be a whole number of days/],
    ["a century and more", { retentionDays: 40000 }, /^retentionDays: must be at most 36525 days/],
    ["an @daily schedule", { schedule: "@daily" }, /^schedule: must be five crontab time fields/],
    ["a four-field schedule", { schedule: "0 0 * *" }, /^schedule: /],
    ["a command in the schedule", { schedule: "0 0 * * * rm -rf /" }, /^schedule: /],
    ["a bad remote address", { remoteAddress: "archive at example.com" }, /^remoteAddress: must be an address/],
    ["an unknown field", { retention: 30 }, /retention/],
    ["a bad profile", { profile: "freebsd" }, /^profile: /],
  ]);

  it("refuses local settings beside remoteAddress, naming each one", async () => {
    const r = await reasons({
      remoteAddress: "archive@plier.example.com",
      directory: "/var/mail/archive",
      quotaGiB: 500,
      retentionDays: 30,
      holdFile: "/var/mail/archive/hold",
    });
    assert.deepEqual(
      r.map((x) => x.split(":")[0]),
      ["directory", "quotaGiB", "retentionDays", "holdFile"],
    );
    assert.match(r[0], /with remoteAddress nothing is kept on this host/);
  });

  it("accepts the guide's archive from the connection alone, with the guide's defaults", async () => {
    assert.deepEqual(await reasons({}), []);
    const archive = localArchive(mailArchiveSchema.parse({ connection }));
    assert.deepEqual(archive, {
      address: "mailarchive@localhost",
      aliasName: "mailarchive",
      domain: "localhost",
      directory: "/var/mail/archive",
      mbox: "/var/mail/archive/current",
      scriptPath: "/root/scripts/mail_rotate.sh",
      cronLine: "0 0 * * * /root/scripts/mail_rotate.sh",
    });
  });

  it("accepts a remote archive, which keeps nothing locally", async () => {
    assert.deepEqual(await reasons({ remoteAddress: "archive@plier.example.com" }), []);
    assert.equal(localArchive(mailArchiveSchema.parse({ connection, remoteAddress: "a@b.example" })), null);
  });

  it("does not judge values unknown during preview", async () => {
    assert.deepEqual(await reasons({ directory: UNKNOWN, retentionDays: 30 }), []);
  });

  it("writes the settings into the rotation script's header, quoted, with the platform's PATH", () => {
    const text = archiveRotationScript(
      mailArchiveSchema.parse({ connection, directory: "/srv/archive", retentionDays: 30 }),
    );
    const header = text.split("\n").slice(0, 8);
    assert.deepEqual(header, [
      "#!/bin/sh",
      "# smartos-mail MailArchive rotation script: written by smartos-mail, changes are overwritten.",
      "PATH='/opt/local/sbin:/opt/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'",
      "export PATH",
      "DIR='/srv/archive'",
      "CURRENT=current",
      "HOLD='/srv/archive/hold'",
      "DAYS='30'",
    ]);
    const code = text
      .split("\n")
      .filter((l) => !l.trim().startsWith("#"))
      .join("\n");
    assert.ok(!/\bdate [^\n]*-d/.test(code), "no GNU date -d");
    assert.ok(!code.includes("--ignore-fail-on-non-empty"), "no GNU rmdir option");
    assert.ok(!/\| *read\b/.test(code), "no pipeline into read");
  });
});

describe("MailArchive diff", () => {
  const inputs = mailArchiveSchema.parse({ connection, profile: "linux", retentionDays: 30 });
  const state = (over: Record<string, unknown> = {}) => ({
    ...inputs,
    applied: {
      alwaysBcc: "mailarchive@localhost",
      alias: "/var/mail/archive/current",
      directoryOk: true,
      datasetQuota: null,
      scriptSha256: scriptSha256(archiveRotationScript(inputs)),
      cron: "0 0 * * * /root/scripts/mail_rotate.sh",
    },
    previous: { alwaysBcc: null },
    ...over,
  });
  const news = { connection, profile: "linux", retentionDays: 30 };

  it("reports no change when the host already matches", async () => {
    assert.deepEqual(await mailArchiveProvider.diff!("id", state(), news), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: true,
    });
  });

  it("updates in place for a new retention (a new script), and for drift", async () => {
    assert.equal((await mailArchiveProvider.diff!("id", state(), { ...news, retentionDays: 31 })).changes, true);
    const drifted = state({ applied: { ...state().applied, cron: null } });
    const d = await mailArchiveProvider.diff!("id", drifted, news);
    assert.equal(d.changes, true);
    assert.deepEqual(d.replaces, []);
  });

  it("updates in place for a dataset quota that is not the one on the host, and not for one that is", async () => {
    const smartos = mailArchiveSchema.parse({ connection, quotaGiB: 500 });
    const applied = {
      ...state().applied,
      datasetQuota: 500 * 1024 ** 3,
      scriptSha256: scriptSha256(archiveRotationScript(smartos)),
    };
    const old = { ...smartos, applied, previous: { alwaysBcc: null } };
    assert.equal((await mailArchiveProvider.diff!("id", old, { connection, quotaGiB: 500 })).changes, false);
    assert.equal((await mailArchiveProvider.diff!("id", old, { connection, quotaGiB: 600 })).changes, true);
    const drifted = { ...old, applied: { ...applied, datasetQuota: 0 } };
    assert.equal((await mailArchiveProvider.diff!("id", drifted, { connection, quotaGiB: 500 })).changes, true);
  });

  it("updates in place to a remote archive", async () => {
    const d = await mailArchiveProvider.diff!("id", state(), {
      connection,
      profile: "linux",
      remoteAddress: "archive@plier.example.com",
    });
    assert.equal(d.changes, true);
    assert.deepEqual(d.replaces, []);
  });

  it("runs nothing on the host for an input spelled as its default", async () => {
    const spelled = { ...news, address: "mailarchive@localhost", directory: "/var/mail/archive" };
    const { outs } = await mailArchiveProvider.update!("id", state(), spelled);
    assert.deepEqual(outs, {
      ...state({ address: "mailarchive@localhost", directory: "/var/mail/archive" }),
      stateVersion: STATE_VERSION,
    });
  });

  it("replaces for another machine or login user (another crontab), deleting first", async () => {
    for (const other of [{ host: "198.18.0.41" }, { user: "admin" }]) {
      const d = await mailArchiveProvider.diff!("id", state(), { ...news, connection: { ...connection, ...other } });
      assert.deepEqual(d.replaces, ["connection"]);
      assert.equal(d.deleteBeforeReplace, true);
    }
  });
});
