import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { readStored, storageSchema, UnreadableStateError } from "../src/providers/storage-schema";
import { inboundSmtpFirewallSchema } from "../src/schemas/inbound-smtp-firewall";
import { mailArchiveSchema } from "../src/schemas/mail-archive";
import { mailLogReportSchema } from "../src/schemas/mail-log-report";
import { openDkimKeySchema } from "../src/schemas/opendkim-key";
import { postfixConfigSchema } from "../src/schemas/postfix-config";
import { rateLimitSchema } from "../src/schemas/rate-limit-transport";
import { smartOsZoneSchema } from "../src/schemas/smartos-zone";
import { zoneDatasetsSchema } from "../src/schemas/zone-datasets";
import { testConnection } from "./support/check-inputs";

/** A policy schema with one of each thing the storage schema drops or keeps. */
const policy = z
  .object({
    name: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z]+$/, "letters only"),
    port: z.number().int().min(1).max(65535).default(22),
    tags: z.array(z.string().min(3)).default([]),
    nested: z
      .object({ level: z.enum(["low", "high"]) })
      .strict()
      .optional(),
    size: z
      .string()
      .transform((v) => Number(v))
      .refine((n) => n < 10, "too big"),
    map: z.record(z.string().regex(/^[a-z_]+$/), z.string().max(3)).default({}),
    either: z.union([z.literal(false), z.object({ p: z.string().min(5) }).strict()]).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.port === 22) ctx.addIssue({ code: "custom", path: ["port"], message: "policy: not 22" });
  });

describe("storage schema", () => {
  it("reads what the policy refuses: formats, ranges, refinements and cross-field rules", () => {
    const stored = {
      name: " ABC1 ",
      tags: ["x"],
      size: "99",
      map: { "Bad-Key": "long value" },
      either: { p: "x" },
    };
    assert.equal(policy.safeParse(stored).success, false);
    const value = {
      name: "abc1",
      port: 22,
      tags: ["x"],
      size: 99,
      map: { "Bad-Key": "long value" },
      either: { p: "x" },
    };
    assert.deepEqual(readStored(policy, stored, "T"), { value, known: value, unknownKeys: [] });
  });

  it("keeps defaults and transforms: the value the policy schema gives for accepted input", () => {
    const given = { name: "abc", port: 25, size: "3" };
    assert.deepEqual(storageSchema(policy).parse(given), policy.parse(given));
  });

  it("keeps keys it does not know, at any depth, lists them, and gives the value without them", () => {
    const r = readStored(policy, { name: "a", size: "1", extra: 1, nested: { level: "low", more: true } }, "T");
    assert.deepEqual(r.unknownKeys, ["extra", "nested.more"]);
    assert.equal((r.value as Record<string, unknown>).extra, 1);
    assert.deepEqual(r.value.nested, { level: "low", more: true });
    assert.deepEqual(r.known, { name: "a", size: 1, port: 22, tags: [], map: {}, nested: { level: "low" } });
  });

  it("refuses a value of another type, naming the path and asking for a migration", () => {
    assert.throws(
      () => readStored(policy, { name: "a", size: "1", port: "22" }, "PostfixConfig"),
      (e: Error) =>
        e instanceof UnreadableStateError &&
        /^PostfixConfig: the stored state does not have the shape/.test(e.message) &&
        /port: /.test(e.message) &&
        /migration is missing/.test(e.message),
    );
  });

  it("leaves the policy schema as it was", () => {
    storageSchema(policy);
    assert.equal(policy.safeParse({ name: "a", size: "1", extra: 1 }).success, false);
    assert.equal(policy.safeParse({ name: "abc", size: "1" }).success, false, "port 22 is still refused");
  });

  it("derives from every resource's schema", () => {
    const connection = testConnection("127.0.0.1");
    for (const schema of [
      postfixConfigSchema,
      openDkimKeySchema,
      rateLimitSchema,
      inboundSmtpFirewallSchema,
      mailArchiveSchema,
      mailLogReportSchema,
      smartOsZoneSchema,
      zoneDatasetsSchema,
    ] as z.ZodType[]) {
      // A connection with a malformed fingerprint: stored state is not judged by the policy.
      const r = storageSchema(schema).safeParse({ connection: { ...connection, hostKeyFingerprint: "old" } });
      const paths = r.success ? [] : r.error.issues.map((i) => i.path.join("."));
      assert.ok(!paths.includes("connection.hostKeyFingerprint"), paths.join(", "));
    }
  });
});
