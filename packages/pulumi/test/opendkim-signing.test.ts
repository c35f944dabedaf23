import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { signingLines } from "../src/dkim/opendkim-host";
import { openDkimKeyProvider } from "../src/providers/opendkim-key";
import { checkReasons, refusesEach, testConnection } from "./support/check-inputs";

const connection = testConnection("198.18.0.11");
const reasons = checkReasons(openDkimKeyProvider, { connection, domain: "example.com", selector: "default" });
const KEY_TABLE = [
  "default._domainkey.example.com example.com:default:/var/db/opendkim/keys/example.com/default.private",
];

describe("OpenDkimKey's SigningTable: the domain, and the names under it whose mail it also signs", () => {
  it("without subdomains: *@domain for each KeyTable name, as the guide writes it", () => {
    assert.deepEqual(signingLines({ domain: "example.com", subdomains: [], keyTable: KEY_TABLE }), [
      "*@example.com default._domainkey.example.com",
    ]);
  });

  it("with the host name: *@mx.example.com signs with the domain's key (d=example.com, relaxed alignment)", () => {
    assert.deepEqual(
      signingLines({
        domain: "example.com",
        subdomains: ["mx.example.com"],
        keyTable: [...KEY_TABLE, "ed1._domainkey.example.com example.com:ed1:/k/ed1.private"],
      }),
      [
        "*@example.com default._domainkey.example.com",
        "*@mx.example.com default._domainkey.example.com",
        "*@example.com ed1._domainkey.example.com",
        "*@mx.example.com ed1._domainkey.example.com",
      ],
    );
  });

  it("accepts names under the domain, in any case, and stores them lower-case", async () => {
    assert.deepEqual(await reasons({ subdomains: ["MX.Example.com", "a.b.example.com"] }), []);
    const checked = await openDkimKeyProvider.check!(
      {},
      { connection, domain: "example.com", selector: "default", subdomains: ["MX.Example.com"] },
    );
    assert.deepEqual(checked.inputs?.subdomains, ["mx.example.com"]);
  });

  refusesEach(reasons, [
    [
      "a name outside the domain (its mail would not align with d=domain)",
      { subdomains: ["mx.example.net"] },
      /^subdomains\[0\]: mx\.example\.net is not under example\.com: a d=example\.com signature aligns only/,
    ],
    [
      "the domain itself (it is signed already)",
      { subdomains: ["example.com"] },
      /^subdomains\[0\]: example\.com is not under/,
    ],
    [
      "a name listed twice",
      { subdomains: ["mx.example.com", "MX.example.com"] },
      /^subdomains\[1\]: mx\.example\.com is listed twice$/,
    ],
    [
      "a name that is no host name",
      { subdomains: ["mx example.com"] },
      /^subdomains\[0\]: must be a fully qualified host name/,
    ],
  ]);
});
