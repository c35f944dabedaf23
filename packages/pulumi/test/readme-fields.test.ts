import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { fieldRows, publicTypes, schemaPaths, withFieldTables } from "./field-docs";
import { DOCUMENTED_ARGS } from "./resource-fields";

const README = path.resolve(__dirname, "..", "..", "..", "..", "README.md");
const types = publicTypes();

describe("the README's argument tables come from the schemas", () => {
  for (const { args, schema, classOnly = [] } of DOCUMENTED_ARGS) {
    it(`${args}: every schema field is a documented row`, () => {
      const rows = fieldRows(types, args);
      const shared = new Set(rows.filter((r) => r.type === "ConnectionArgs").map((r) => r.path));
      // Fields the class keeps to itself are rows (documented below) but not schema fields.
      const inClass = (path: string) => classOnly.some((f) => path === f || path.startsWith(`${f}.`));
      for (const f of classOnly)
        assert.ok(
          rows.some((r) => r.path === f),
          `no ${f} row in ${args}`,
        );
      const schemaRows = rows.map((r) => r.path).filter((p) => !inClass(p));
      assert.deepEqual(schemaRows.sort(), schemaPaths(schema, shared).sort(), "fields and schema differ");
      const undocumented = rows.filter((r) => r.doc.length === 0).map((r) => r.path);
      assert.deepEqual(undocumented, [], `fields without TSDoc on the schema: ${undocumented.join(", ")}`);
    });
  }

  it("the README has a table for each and every table is as generated (pnpm run docs writes them)", () => {
    const readme = readFileSync(README, "utf8");
    for (const { args } of DOCUMENTED_ARGS) assert.match(readme, new RegExp(`<!-- fields:${args} -->`));
    assert.equal(readme, withFieldTables(readme, types), "README.md's field tables are stale: run pnpm run docs");
  });
});
