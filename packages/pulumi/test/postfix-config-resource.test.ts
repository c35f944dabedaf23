import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { PostfixConfig } from "../src/index";
import { testConnection } from "./support/check-inputs";
import { recordRegistrations } from "./support/sdk-mocks";

const SIG = "4dabf18193072939515e22adb298388d";
const PASSWORD = "relay-password-0123";

describe("PostfixConfig resource (SDK mocks)", () => {
  let registered: pulumi.runtime.MockResourceArgs[];
  before(async () => {
    registered = await recordRegistrations();
    const r = new PostfixConfig("mail", {
      connection: testConnection("198.18.0.11"),
      myhostname: "mx.example.com",
      relayhost: { host: "relay.example.com", port: 587 },
      saslRelay: { username: "user", password: PASSWORD },
    });
    await new Promise((resolve) => r.urn.apply(resolve));
  });

  it("registers a namespaced dynamic resource type", () => {
    assert.equal(registered[0].type, "pulumi-nodejs:dynamic/smartos-mail:PostfixConfig");
  });

  it("marks the connection and the SASL credentials secret even when given as plain strings", () => {
    const inputs = registered[0].inputs;
    assert.equal(inputs.connection[SIG], "1b47061264138c4ac30d75fd1eb44270");
    assert.equal(inputs.saslRelay[SIG], "1b47061264138c4ac30d75fd1eb44270");
    assert.equal(inputs.myhostname, "mx.example.com");
  });

  it("serializes a provider that captures no secret and loads its code by package name", () => {
    const text: string = registered[0].inputs.__provider;
    assert.ok(!text.includes(PASSWORD) && !text.includes("PRIVATE KEY"));
    assert.match(text, /require\("@smartos-mail\/pulumi\/provider-runtime"\)/);
    assert.match(text, /kind: "postfixConfig"/);
  });
});
