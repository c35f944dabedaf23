import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { mainCfParameters } from "../src/postfix/typed-fields";
import { failureText, UNKNOWN } from "../src/providers/check";
import { postfixConfigProvider } from "../src/providers/postfix-config";
import { postfixConfigSchema } from "../src/schemas/postfix-config";
import { type RefusedCase, refusesEach, testConnection } from "./support/check-inputs";

const connection = testConnection("198.18.0.11");

async function check(news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return postfixConfigProvider.check!({}, { __provider: "p", connection, ...news });
}

async function reasons(news: Record<string, unknown>): Promise<string[]> {
  return ((await check(news)).failures ?? []).map(failureText);
}

describe("PostfixConfig check", () => {
  const bad: RefusedCase[] = [
    [
      "a shell substitution as myhostname",
      { myhostname: "$(touch /tmp/pwned)" },
      /^myhostname: must be a fully qualified/,
    ],
    ["a single-label myhostname", { myhostname: "localhost" }, /^myhostname: /],
    [
      "a newline in a parameter value",
      { parameters: { smtpd_banner: "a\nb" } },
      /^parameters\.smtpd_banner: must be one line/,
    ],
    [
      "a shell substitution in a parameter value",
      { parameters: { smtpd_banner: "$(touch /tmp/pwned)" } },
      /not a Postfix parameter reference/,
    ],
    [
      "a bad parameter name",
      { parameters: { "bad name": "x" } },
      /^parameters\.bad name: must be a main\.cf parameter name/,
    ],
    [
      "a typed parameter in parameters",
      { parameters: { myhostname: "mx.example.com" } },
      /^parameters\.myhostname: is managed by the myhostname field/,
    ],
    ["a /33 network", { mynetworks: ["10.0.0.0/33"] }, /^mynetworks\[0\]: must be an IPv4 address or CIDR/],
    ["saslRelay without relayhost", { saslRelay: { username: "u", password: "p" } }, /^saslRelay: needs relayhost/],
    [
      "all with other interfaces",
      { inetInterfaces: ["all", "127.0.0.1"] },
      /^inetInterfaces: all and loopback-only must stand alone/,
    ],
    ["mxLookup on an IP", { relayhost: { host: "192.0.2.1", mxLookup: true } }, /^relayhost\.mxLookup: /],
    ["an unknown field", { myhostnme: "mx.example.com" }, /myhostnme/],
    ["a root alias with a comma", { rootAlias: "a@example.com, b@example.com" }, /^rootAlias: must be an address/],
    ["a bad profile", { profile: "freebsd" }, /^profile: /],
    [
      "dane without DNSSEC lookups",
      { clientTls: { securityLevel: "dane", dnsSupportLevel: "enabled" } },
      /^clientTls\.dnsSupportLevel: must be dnssec for dane/,
    ],
    ["an unknown TLS level", { clientTls: { securityLevel: "maybe" } }, /^clientTls\.securityLevel: /],
    [
      "opportunistic TLS with a SASL relay",
      {
        relayhost: { host: "smtp.example.com" },
        saslRelay: { username: "u", password: "p" },
        clientTls: { securityLevel: "may" },
      },
      /^clientTls\.securityLevel: may may send the SASL password in clear/,
    ],
    [
      "a rate delay through parameters",
      { parameters: { smtp_destination_rate_delay: "1s" } },
      /^parameters\.smtp_destination_rate_delay: is managed by RateLimitTransport \(defaults for smtp/,
    ],
    [
      "a named transport's recipient limit through parameters",
      { parameters: { "smtp-slow_destination_recipient_limit": "5" } },
      /^parameters\.smtp-slow_destination_recipient_limit: is managed by RateLimitTransport/,
    ],
    [
      "transport_maps through parameters",
      { parameters: { transport_maps: "hash:/etc/postfix/other" } },
      /^parameters\.transport_maps: is managed by RateLimitTransport, which adds its map to the list/,
    ],
    [
      "a milter list through parameters",
      { parameters: { smtpd_milters: "inet:localhost:11332" } },
      /^parameters\.smtpd_milters: is managed by OpenDkimKey, which adds its milter/,
    ],
    [
      "always_bcc through parameters",
      { parameters: { always_bcc: "archive@example.com" } },
      /^parameters\.always_bcc: is managed by MailArchive/,
    ],
    [
      "smtp_tls_security_level through parameters",
      { parameters: { smtp_tls_security_level: "may" } },
      /^parameters\.smtp_tls_security_level: is managed by the clientTls/,
    ],
    [
      "an open relay: all interfaces and mynetworks 0.0.0.0/0",
      { inetInterfaces: ["all"], mynetworks: ["0.0.0.0/0"] },
      /^mynetworks: 0\.0\.0\.0\/0 covers every IPv4 address: any client on the internet may relay/,
    ],
    [
      "an open relay through Postfix's default inet_interfaces (all)",
      { mynetworks: ["127.0.0.0/8", "0.0.0.0/1", "128.0.0.0/1"] },
      /^mynetworks: 0\.0\.0\.0\/1, 128\.0\.0\.0\/1 together cover every IPv4 address/,
    ],
    [
      "relay restrictions that permit before reject_unauth_destination",
      { inetInterfaces: ["all"], parameters: { smtpd_relay_restrictions: "permit, reject_unauth_destination" } },
      /^parameters\.smtpd_relay_restrictions: "permit" lets every client through before reject_unauth_destination/,
    ],
    [
      "mynetworks_style subnet on a host whose networks preview cannot see",
      { inetInterfaces: ["all"], parameters: { mynetworks_style: "subnet" } },
      /^parameters\.mynetworks_style: subnet trusts every address on the host's subnets/,
    ],
    [
      "allowOpenRelay without a reason",
      { inetInterfaces: ["all"], mynetworks: ["0.0.0.0/0"], allowOpenRelay: true },
      /^openRelayReason: is required with allowOpenRelay: true/,
    ],
    [
      "a reason without allowOpenRelay",
      { openRelayReason: "a test relay on a lab network" },
      /^openRelayReason: has no effect without allowOpenRelay: true/,
    ],
  ];
  refusesEach(reasons, bad);

  it("refuses a bad host key fingerprint and explains how to get one", async () => {
    const r = await postfixConfigProvider.check!({}, { connection: { ...connection, hostKeyFingerprint: "MD5:aa" } });
    assert.match(r.failures![0].reason, /^connection\.hostKeyFingerprint: must be SHA256:.*ssh-keyscan/);
  });

  it("never echoes a private key or password it refuses", async () => {
    const secret = "not a key but very secret";
    const r = await postfixConfigProvider.check!(
      {},
      {
        connection: { ...connection, privateKey: secret },
        relayhost: { host: "relay.example.com" },
        saslRelay: { username: "u", password: ` ${secret}` },
      },
    );
    assert.equal(r.failures!.length, 2);
    for (const f of r.failures!) assert.ok(!f.reason.includes(secret), f.reason);
  });

  it("accepts the guide's settings and applies defaults", async () => {
    const r = await check({
      myhostname: "mx.cospix.net",
      mynetworks: ["$myhostname", "127.0.0.0/8", "[::1/128]"],
      relayhost: { host: "smtp.example.com", port: 587 },
      saslRelay: { username: "u", password: "p w" },
    });
    assert.equal(r.failures, undefined);
    const inputs = postfixConfigSchema.parse(r.inputs);
    assert.equal(inputs.profile, "smartos");
    assert.deepEqual(mainCfParameters(inputs), {
      myhostname: "mx.cospix.net",
      mynetworks: "$myhostname, 127.0.0.0/8, [::1]/128",
      relayhost: "[smtp.example.com]:587",
      smtp_sasl_auth_enable: "yes",
      smtp_sasl_password_maps: "hash:/var/db/postfix/smtp_passwd",
      smtp_sasl_security_options: "noanonymous",
      smtp_tls_security_level: "encrypt",
    });
  });

  it("sets the guide's DANE client TLS: smtp_tls_security_level=dane with smtp_dns_support_level=dnssec", async () => {
    const r = await check({ clientTls: { securityLevel: "dane" } });
    assert.equal(r.failures, undefined);
    assert.deepEqual(mainCfParameters(postfixConfigSchema.parse(r.inputs)), {
      smtp_tls_security_level: "dane",
      smtp_dns_support_level: "dnssec",
    });
  });

  it("accepts Postfix macro syntax and literal quotes and backticks", async () => {
    const r = await check({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Postfix's ${name} macro, on purpose
      parameters: { smtpd_banner: "$myhostname ESMTP ${mail_name} $(x) `q` \"d\" 's' $$", delay_warning_time: "4h" },
    });
    assert.equal(r.failures, undefined);
  });

  it("allows the world in mynetworks on loopback only, and a deliberate open relay with its reason", async () => {
    assert.equal((await check({ inetInterfaces: ["loopback-only"], mynetworks: ["0.0.0.0/0"] })).failures, undefined);
    const r = await check({
      inetInterfaces: ["all"],
      mynetworks: ["0.0.0.0/0"],
      allowOpenRelay: true,
      openRelayReason: "an isolated lab network with no route to the internet",
    });
    assert.equal(r.failures, undefined);
  });

  it("does not judge an open relay on values unknown during preview", async () => {
    assert.equal((await check({ inetInterfaces: [UNKNOWN], mynetworks: ["0.0.0.0/0"] })).failures, undefined);
  });

  it("does not judge values unknown during preview", async () => {
    const r = await check({ myhostname: UNKNOWN, mynetworks: ["127.0.0.0/8"] });
    assert.equal(r.failures, undefined);
  });

  it("brackets an IPv6 relay host the way Postfix expects", () => {
    const inputs = postfixConfigSchema.parse({ connection, relayhost: { host: "2001:db8::1", port: 25 } });
    assert.equal(mainCfParameters(inputs).relayhost, "[ipv6:2001:db8::1]:25");
  });
});

describe("PostfixConfig diff", () => {
  const state = (over: Record<string, unknown> = {}) => ({
    ...postfixConfigSchema.parse({ connection, myhostname: "mx.example.com" }),
    applied: { myhostname: "mx.example.com" },
    previous: { parameters: { myhostname: "old.example.com" } },
    openRelay: null,
    ...over,
  });

  it("reports no change when the host already matches", async () => {
    const d = await postfixConfigProvider.diff!("id", state(), { connection, myhostname: "mx.example.com" });
    assert.deepEqual(d, { changes: false, replaces: [], deleteBeforeReplace: true });
  });

  it("reads state from before the relay rule (no openRelay) as not relaying: no change", async () => {
    const { openRelay: _, ...older } = state();
    const d = await postfixConfigProvider.diff!("id", older as never, { connection, myhostname: "mx.example.com" });
    assert.equal(d.changes, false);
  });

  it("updates in place when a value changes or drifted", async () => {
    const d1 = await postfixConfigProvider.diff!("id", state(), { connection, myhostname: "mx2.example.com" });
    assert.equal(d1.changes, true);
    assert.deepEqual(d1.replaces, []);
    const d2 = await postfixConfigProvider.diff!("id", state({ applied: { myhostname: "drifted.example.com" } }), {
      connection,
      myhostname: "mx.example.com",
    });
    assert.equal(d2.changes, true);
  });

  it("replaces when the connection points at another machine", async () => {
    const d = await postfixConfigProvider.diff!("id", state(), {
      connection: { ...connection, host: "198.18.0.12" },
      myhostname: "mx.example.com",
    });
    assert.deepEqual(d.replaces, ["connection"]);
  });

  it("replaces delete first on the machine the host key names, create first on another", async () => {
    const sameMachine = await postfixConfigProvider.diff!("id", state(), {
      connection: { ...connection, host: "mx-by-name.example.com" },
      myhostname: "mx.example.com",
    });
    assert.deepEqual([sameMachine.replaces, sameMachine.deleteBeforeReplace], [["connection"], true]);
    const otherMachine = await postfixConfigProvider.diff!("id", state(), {
      connection: { ...connection, host: "198.18.0.12", hostKeyFingerprint: `SHA256:${"B".repeat(43)}` },
      myhostname: "mx.example.com",
    });
    assert.deepEqual([otherMachine.replaces, otherMachine.deleteBeforeReplace], [["connection"], false]);
  });
});
