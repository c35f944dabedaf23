import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addressNumber, expandIpv6, parseCidr } from "../src/validation/networks";

describe("addresses and CIDRs: one parser for every schema", () => {
  it("reads an address with or without a prefix the family allows", () => {
    assert.deepEqual(parseCidr("192.0.2.0/24"), { family: 4, address: "192.0.2.0", prefix: 24 });
    assert.deepEqual(parseCidr("192.0.2.1"), { family: 4, address: "192.0.2.1" });
    assert.deepEqual(parseCidr("2001:db8::/32"), { family: 6, address: "2001:db8::", prefix: 32 });
    assert.deepEqual(parseCidr("::/0"), { family: 6, address: "::", prefix: 0 });
  });

  it("refuses what is not one", () => {
    for (const bad of [
      "192.0.2.0/33",
      "2001:db8::/129",
      "256.0.0.1",
      "192.0.2.0/",
      "192.0.2.0/24/1",
      "mx.example.com",
      "10.0.0.0/-1",
      "[::1]/128",
      "",
    ]) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });

  it("writes IPv6 addresses out in full, an IPv4 tail included, and numbers both families", () => {
    assert.equal(expandIpv6("2001:db8::1"), "20010db8000000000000000000000001");
    assert.equal(expandIpv6("::ffff:192.0.2.1"), "00000000000000000000ffffc0000201");
    assert.equal(addressNumber("192.0.2.1"), 0xc0000201n);
    assert.equal(addressNumber("::ffff:192.0.2.1"), 0xffffc0000201n);
    assert.equal(addressNumber("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), (1n << 128n) - 1n);
  });
});
