import { PostfixConfig } from "@smartos-mail/pulumi";
import { connectionTo, freshStack } from "../harness/fixtures";
import { smtpSmokeTest } from "../harness/smtp";
import { downHost, hostShell, upHost } from "../harness/testbed";

const HOST = "demo";

async function main(): Promise<void> {
  console.log("1. Bringing up testbed host 'demo' (real sshd and Postfix in a network namespace) ...");
  const h = upHost(HOST, 20);
  console.log(`   ${h.host}, host key ${h.hostKeyFingerprint}`);
  const stack = freshStack("demo");
  const program = () => [
    new PostfixConfig("mail", {
      connection: connectionTo(h),
      profile: "linux",
      myhostname: "mx.cospix.net",
      mynetworks: ["$myhostname", "127.0.0.0/8", "[::1]/128"],
      inetInterfaces: ["all"],
      rootAlias: "postmaster@cospix.net",
    }),
  ];
  console.log("2. Applying PostfixConfig through the harness (check, create) ...");
  console.log(`   ${(await stack.up(program)).map((s) => `${s.op} ${s.name}`).join(", ")}`);
  console.log("   postconf -n on the host now has:");
  const n = hostShell(HOST, "postconf -n myhostname mynetworks inet_interfaces").stdout;
  console.log(n.replace(/^/gm, "     ").trimEnd());
  console.log("3. Running it again: a second up changes nothing ...");
  console.log(`   ${(await stack.up(program)).map((s) => `${s.op} ${s.name} (diff: ${s.diff?.changes})`).join(", ")}`);
  console.log("4. The guide's SMTP smoke test (socat to localhost:smtp on the host):");
  const transcript = smtpSmokeTest(HOST, "root@cospix.net", "your@email.example");
  console.log(transcript.replace(/^/gm, "     ").trimEnd());
  const queued = /^250 2\.0\.0 Ok: queued as (\S+)/m.exec(transcript);
  console.log(queued ? `   Result: PASS, message queued as ${queued[1]}` : "   Result: FAIL, no 'queued as' reply");
  console.log("5. Destroying the stack and the host ...");
  await stack.destroy();
  downHost(HOST);
  if (!queued) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  downHost(HOST);
  process.exit(1);
});
