import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { it } from "node:test";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..", "..");
// Inside integration-tests, so the blocks resolve @smartos-mail/pulumi and @pulumi/pulumi as a user's program does.
const WORK = path.resolve(__dirname, "..", "..", ".readme-blocks");

/** The READMEs whose TypeScript blocks are compiled: the repository's and the one npm shows with the package. */
const READMES = { repo: "README.md", package: "packages/pulumi/README.md" };

it("every TypeScript block in the READMEs compiles against the library", () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const files = Object.entries(READMES).flatMap(([name, readmePath]) => {
    const readme = readFileSync(path.join(ROOT, readmePath), "utf8");
    const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
    assert.ok(blocks.length >= 1, `${readmePath} has no \`\`\`ts block`);
    return blocks.map((code, i) => {
      const file = path.join(WORK, `${name}-block-${i + 1}.ts`);
      writeFileSync(file, code);
      return file;
    });
  });
  const base = ts.readConfigFile(path.join(ROOT, "tsconfig.base.json"), ts.sys.readFile).config;
  const { options } = ts.parseJsonConfigFileContent(
    { compilerOptions: { ...base.compilerOptions, composite: false, declaration: false, noEmit: true } },
    ts.sys,
    WORK,
  );
  const program = ts.createProgram(files, options);
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const name = d.file ? path.basename(d.file.fileName) : "";
    return `${name}:${where ? where.line + 1 : "?"}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
  assert.deepEqual(problems, []);
});
