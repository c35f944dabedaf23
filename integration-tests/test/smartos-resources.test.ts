import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { InboundSmtpFirewall, MailLogReport, OpenDkimKey, type OpenDkimKeyArgs } from "@smartos-mail/pulumi";
import { connectionTo, driftRepairedByUp, freshStack, suiteHost } from "../harness/fixtures";
import { hostShell, sshCommands, withoutSsh } from "../harness/testbed";

const HOST = "zbres";
const POSTCONF = "/opt/local/sbin/postconf";
const PATH = "PATH=/opt/local/sbin:/opt/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function sh(command: string): string {
  const r = hostShell(HOST, `${PATH}; ${command}`);
  assert.equal(r.code, 0, `${command} failed: ${r.stderr}`);
  return r.stdout;
}

/** The running OpenDKIM daemon's pid (the emulated SMF starts it as user opendkim). */
const openDkimPid = () => sh("pgrep -u opendkim -x opendkim || true").trim();

describe("OpenDkimKey, InboundSmtpFirewall and MailLogReport with profile smartos on the emulated SmartOS host (pkgin, SMF)", () => {
  const host = suiteHost(HOST, 110, "smartos");
  let baseline: string;

  before(() => {
    baseline = sh(`${POSTCONF} -n`);
  });

  describe("OpenDkimKey", () => {
    const stack = freshStack("smartos-opendkim");
    let key: OpenDkimKeyArgs;
    const program = (domains: string[]) => () =>
      domains.map((domain) => new OpenDkimKey(`dkim-${domain}`, { ...key, domain }));

    before(() => {
      key = { connection: connectionTo(host()), profile: "smartos", domain: "unset", selector: "mail2026" };
    });

    it("the zone has no OpenDKIM until pkgin installs it", () => {
      assert.notEqual(hostShell(HOST, `${PATH}; command -v opendkim`).code, 0);
    });

    it("create: pkgin installs OpenDKIM, SMF runs it, and Postfix is back online (not in transition) when up returns", async () => {
      assert.deepEqual(
        (await stack.up(program(["cospix.net"]))).map((s) => s.op),
        ["create"],
      );
      assert.equal(sh("command -v opendkim"), "/opt/local/sbin/opendkim\n");
      assert.equal(sh("svcs -H -o fmri,state opendkim"), "svc:/pkgsrc/opendkim:default online\n");
      assert.notEqual(openDkimPid(), "");
      // Postfix joined the opendkim group, so it was restarted: svcadm restart alone would
      // return with the restart still pending (online*) or under way (offline*).
      assert.equal(sh("svcs -H -o state postfix"), "online\n");
      assert.match(sh("id -Gn postfix"), /\bopendkim\b/);
      assert.match(sh(`${POSTCONF} -h smtpd_milters`), /unix:\/var\/db\/opendkim\/opendkim\.sock/);
    });

    it("second up: no diff, no SSH login, no remote command", async () => {
      assert.deepEqual(
        (await withoutSsh([HOST], () => stack.up(program(["cospix.net"])))).map((s) => s.op),
        ["same"],
      );
    });

    it("a second key makes the running OpenDKIM read the new tables: it is restarted (the pkgsrc manifest has no refresh method)", async () => {
      const before = openDkimPid();
      const tablesAt = Number(sh("stat -c %Y /var/db/opendkim/KeyTable"));
      await stack.up(program(["cospix.net", "example.org"]));
      assert.match(sh("cat /var/db/opendkim/KeyTable"), /mail2026\._domainkey\.example\.org/);
      const after = openDkimPid();
      assert.notEqual(after, "");
      assert.notEqual(after, before, "the daemon that loaded the old KeyTable is still the one running");
      assert.ok(Number(sh(`stat -c %Y /proc/${after}`)) >= tablesAt);
      assert.equal(sh("svcs -H -o state opendkim"), "online\n");
    });

    it("an OpenDKIM that cannot start fails the up, naming the maintenance state; after the fix the next up converges", async () => {
      const daemon = "/usr/lib/smartos-emulator/pkgsrc/opendkim";
      const three = program(["cospix.net", "example.org", "example.com"]);
      sh(`mv ${daemon} ${daemon}.away`);
      const failed = await stack.up(three).then(
        () => "",
        (err: Error) => err.message,
      );
      sh(`mv ${daemon}.away ${daemon}`);
      assert.match(failed, /opendkim did not come back online; svcs says: maintenance/);
      assert.equal(sh("svcs -H -o state opendkim"), "maintenance\n");
      await stack.up(three);
      assert.equal(sh("svcs -H -o state opendkim"), "online\n");
      assert.match(sh("cat /var/db/opendkim/KeyTable"), /mail2026\._domainkey\.example\.com/);
    });

    it("a deleted key file shows as drift on refresh and the next up puts it back", async () => {
      sh("rm /var/db/opendkim/keys/cospix.net/mail2026.private");
      const drift = (await stack.refresh()).filter((s) => s.drift).map((s) => s.name);
      assert.deepEqual(drift, ["dkim-cospix.net"]);
      const commands = sshCommands(HOST).length;
      await stack.up(program(["cospix.net", "example.org"]));
      assert.ok(sshCommands(HOST).length > commands);
      assert.equal(sh("stat -c '%a %U' /var/db/opendkim/keys/cospix.net/mail2026.private"), "400 opendkim\n");
    });

    it("destroy stops OpenDKIM, puts main.cf back and leaves Postfix online", async () => {
      await stack.destroy();
      assert.equal(sh("svcs -H -o state opendkim"), "disabled\n");
      assert.equal(openDkimPid(), "");
      assert.equal(sh(`${POSTCONF} -n`), baseline);
      assert.equal(sh("svcs -H -o state postfix"), "online\n");
      assert.doesNotMatch(sh("id -Gn postfix"), /\bopendkim\b/);
    });
  });

  describe("InboundSmtpFirewall", () => {
    const stack = freshStack("smartos-inbound-smtp-firewall");
    const program = () => () => [
      new InboundSmtpFirewall("fw", { connection: connectionTo(host()), profile: "smartos" }),
    ];
    const OPERATOR_RULE = "pass in quick on net0 proto tcp from 192.0.2.0/24 to any port = 22";
    const live = () => sh("ipfstat -io");

    before(() => {
      sh(`printf '%s\\n' '# operator rules' '${OPERATOR_RULE}' >/etc/ipf/ipf.conf`);
    });

    it("ipfilter starts with policy none, as in a zone: enabled alone, it loads nothing from /etc/ipf/ipf.conf", () => {
      assert.equal(sh("svcprop -p firewall_config_default/policy ipfilter"), "none\n");
      sh("svcadm enable -s ipfilter");
      assert.equal(live(), "empty list for ipfilter(out)\nempty list for ipfilter(in)\n");
      sh("svcadm disable -s ipfilter");
    });

    it("create: the policy becomes custom with /etc/ipf/ipf.conf, and the live rules (ipfstat -io) have the block", async () => {
      assert.deepEqual(
        (await stack.up(program())).map((s) => s.op),
        ["create"],
      );
      assert.equal(sh("svcprop -p firewall_config_default/policy ipfilter"), "custom\n");
      assert.equal(sh("svcprop -p firewall_config_default/custom_policy_file ipfilter"), "/etc/ipf/ipf.conf\n");
      assert.equal(sh("svcs -H -o state ipfilter"), "online\n");
      assert.match(live(), /^block in on net0 proto tcp from any to any port = smtp$/m);
      assert.match(live(), /^pass in quick on net0 proto tcp from 192\.0\.2\.0\/24 to any port = ssh$/m);
      const outputs = stack.resource("fw")?.outputs as { applied: { active: boolean } };
      assert.equal(outputs.applied.active, true);
    });

    it("second up: no diff, no SSH login, no remote command", async () => {
      assert.deepEqual(
        (await withoutSsh([HOST], () => stack.up(program()))).map((s) => s.op),
        ["same"],
      );
    });

    it("rules flushed from the live firewall show on refresh, and the next up loads them again", async () => {
      sh("ipf -Fa");
      await driftRepairedByUp(stack, program());
      assert.match(live(), /^block in on net0 proto tcp from any to any port = smtp$/m);
    });

    it("destroy takes the block out of the file and the live rules and keeps the operator's rule", async () => {
      await stack.destroy();
      assert.equal(sh("cat /etc/ipf/ipf.conf"), `# operator rules\n${OPERATOR_RULE}\n`);
      assert.doesNotMatch(hostShell(HOST, `${PATH}; ipfstat -io`).stdout, /port = smtp/);
    });

    it("a deny policy, whose rules SMF generates, is refused by name rather than replaced", async () => {
      sh("svccfg -s ipfilter setprop firewall_config_default/policy = astring: deny && svcadm refresh ipfilter");
      const failed = await stack.up(program()).then(
        () => "",
        (err: Error) => err.message,
      );
      assert.match(failed, /ipfilter's policy is deny: its rules come from SMF properties/);
      assert.equal(sh("svcprop -p firewall_config_default/policy ipfilter"), "deny\n");
      await stack.destroy();
    });
  });

  describe("MailLogReport", () => {
    const stack = freshStack("smartos-mail-log-report");
    const program = () => () => [new MailLogReport("report", { connection: connectionTo(host()), profile: "smartos" })];
    const crontab = () => hostShell(HOST, "crontab -l 2>/dev/null").stdout;

    it("create: pkgin installs pflogsumm in /opt/local/sbin; without maillog_file the report reads illumos's /var/log/syslog", async () => {
      assert.notEqual(hostShell(HOST, `${PATH}; command -v pflogsumm`).code, 0);
      const maillogFile = sh(`${POSTCONF} -h maillog_file`).trim();
      // main.cf only, no reload: Postfix keeps logging where it did.
      sh(`${POSTCONF} -X maillog_file`);
      const ops = await stack.up(program()).finally(() => sh(`${POSTCONF} -e maillog_file=${maillogFile}`));
      assert.deepEqual(
        ops.map((s) => s.op),
        ["create"],
      );
      const outputs = stack.resource("report")?.outputs as { reportedLog: string } | undefined;
      assert.equal(outputs?.reportedLog, "/var/log/syslog");
      assert.equal(sh("command -v pflogsumm"), "/opt/local/sbin/pflogsumm\n");
      assert.match(crontab(), /^10 0 \* \* \* .*pflogsumm/m);
    });

    it("second up: no diff, no SSH login, no remote command", async () => {
      assert.deepEqual(
        (await withoutSsh([HOST], () => stack.up(program()))).map((s) => s.op),
        ["same"],
      );
    });

    it("a removed entry shows on refresh and the next up restores it", async () => {
      hostShell(HOST, "crontab -r");
      await driftRepairedByUp(stack, program());
      assert.match(crontab(), /^10 0 \* \* \* .*pflogsumm/m);
    });

    it("destroy removes the entry", async () => {
      await stack.destroy();
      assert.doesNotMatch(crontab(), /pflogsumm/);
    });
  });
});
