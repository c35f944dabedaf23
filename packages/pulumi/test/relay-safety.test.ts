import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { listensOnLoopbackOnly, type RelayConfig, relayFindings } from "../src/postfix/relay-safety";

const PUBLIC = { inet_interfaces: "all" };

/** The parameters the rule blames for `config`, in order. */
const blamed = (config: RelayConfig) => relayFindings(config).map((f) => f.parameter);

describe("relay safety: what relays mail for strangers", () => {
  /** Configurations that relay for strangers, by the one parameter the rule must blame. */
  const open: Record<string, [string, RelayConfig][]> = {
    mynetworks: [
      ["mynetworks 0.0.0.0/0", { ...PUBLIC, mynetworks: "127.0.0.0/8, 0.0.0.0/0" }],
      ["mynetworks ::/0", { ...PUBLIC, mynetworks: "[::1]/128 [::]/0" }],
      ["two /1s that together cover IPv4", { ...PUBLIC, mynetworks: "0.0.0.0/1 128.0.0.0/1" }],
      ["an IPv4-mapped ::ffff:0:0/96 (every IPv4 client)", { ...PUBLIC, mynetworks: "[::ffff:0.0.0.0]/96" }],
      ["a /4: no operator owns one", { ...PUBLIC, mynetworks: "64.0.0.0/4" }],
      ["2000::/3, all global IPv6", { ...PUBLIC, mynetworks: "[2000::]/3" }],
      ["Postfix's default inet_interfaces (all) with 0.0.0.0/0", { mynetworks: "0.0.0.0/0" }],
      [
        "the world in mynetworks even when the lists would not permit it",
        { ...PUBLIC, mynetworks: "0.0.0.0/0", smtpd_relay_restrictions: "reject_unauth_destination" },
      ],
    ],
    smtpd_relay_restrictions: [
      ["smtpd_relay_restrictions = permit", { ...PUBLIC, smtpd_relay_restrictions: "permit" }],
      [
        "permit before reject_unauth_destination",
        { ...PUBLIC, smtpd_relay_restrictions: "permit_mynetworks, permit, reject_unauth_destination" },
      ],
      [
        "no list that rejects at all",
        { ...PUBLIC, smtpd_relay_restrictions: "permit_sasl_authenticated", smtpd_recipient_restrictions: "" },
      ],
      [
        "an access table that answers OK for everyone",
        { ...PUBLIC, smtpd_relay_restrictions: "check_client_access static:OK, reject_unauth_destination" },
      ],
      [
        "a reject made a warning by warn_if_reject",
        { ...PUBLIC, smtpd_relay_restrictions: "warn_if_reject reject_unauth_destination" },
      ],
      [
        "a permit in smtpd_client_restrictions and no relay check (it does not skip the other lists)",
        { ...PUBLIC, smtpd_client_restrictions: "permit, reject_unauth_destination", smtpd_relay_restrictions: "" },
      ],
    ],
    smtpd_recipient_restrictions: [
      [
        "no relay list and recipient restrictions that permit",
        { ...PUBLIC, smtpd_relay_restrictions: "", smtpd_recipient_restrictions: "permit_mynetworks, permit" },
      ],
    ],
    mynetworks_style: [
      ["mynetworks_style subnet with mynetworks unknown", { ...PUBLIC, mynetworks_style: "subnet" }],
      ["mynetworks_style class with mynetworks unknown", { ...PUBLIC, mynetworks_style: "class" }],
    ],
  };
  for (const [parameter, cases] of Object.entries(open)) {
    for (const [what, config] of cases) {
      it(`refuses ${what}`, () => assert.deepEqual(blamed(config), [parameter]));
    }
  }

  const closed: [string, RelayConfig][] = [
    ["Postfix's defaults", {}],
    [
      "the world in mynetworks while listening on loopback only",
      { inet_interfaces: "loopback-only", mynetworks: "0.0.0.0/0" },
    ],
    ["localhost and 127.0.0.1 only", { inet_interfaces: "localhost, 127.0.0.1", smtpd_relay_restrictions: "permit" }],
    ["the guide's relay for a network", { ...PUBLIC, mynetworks: "$myhostname, 127.0.0.0/8, [::1]/128, 10.0.0.0/24" }],
    ["a /8 of private addresses", { ...PUBLIC, mynetworks: "10.0.0.0/8" }],
    ["all IPv6 unique-local addresses", { ...PUBLIC, mynetworks: "[fc00::]/7" }],
    [
      "a relay list that permits but recipient restrictions that reject",
      { ...PUBLIC, smtpd_relay_restrictions: "permit", smtpd_recipient_restrictions: "reject_unauth_destination" },
    ],
    ["defer_if_permit", { ...PUBLIC, smtpd_relay_restrictions: "defer_if_permit, permit" }],
    [
      "an access table whose answers are not known here",
      {
        ...PUBLIC,
        smtpd_relay_restrictions: "check_client_access hash:/etc/postfix/access, reject_unauth_destination",
      },
    ],
    [
      "the pre-2.10 spelling: the relay check in smtpd_recipient_restrictions",
      {
        ...PUBLIC,
        smtpd_relay_restrictions: "",
        smtpd_recipient_restrictions: "permit_mynetworks, reject_unauth_destination",
      },
    ],
    [
      "mynetworks_style subnet with mynetworks known (the style is then unused)",
      { ...PUBLIC, mynetworks_style: "subnet", mynetworks: "192.0.2.0/24" },
    ],
    [
      "host names, $parameters and tables in mynetworks",
      { ...PUBLIC, mynetworks: "$myhostname mx.example.com hash:/etc/postfix/network_table" },
    ],
  ];
  for (const [what, config] of closed) {
    it(`allows ${what}`, () => assert.deepEqual(blamed(config), []));
  }

  it("says what it allows, the fix and the opt-out", () => {
    const [finding] = relayFindings({ mynetworks: "0.0.0.0/1, 128.0.0.0/1" });
    assert.match(finding.message, /^0\.0\.0\.0\/1, 128\.0\.0\.0\/1 together cover every IPv4 address: any client/);
    assert.match(finding.message, /loopback-only/);
    assert.match(finding.message, /allowOpenRelay: true with openRelayReason/);
  });

  it("knows loopback from the rest", () => {
    assert.equal(listensOnLoopbackOnly("loopback-only"), true);
    assert.equal(listensOnLoopbackOnly("127.0.0.1, [::1]"), true);
    assert.equal(listensOnLoopbackOnly(undefined), false, "Postfix's default is all");
    assert.equal(listensOnLoopbackOnly("127.0.0.1, 192.0.2.1"), false);
    assert.equal(listensOnLoopbackOnly("mx.example.com"), false);
  });
});
