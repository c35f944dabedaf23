/** Writes the README's argument tables from the code (`pnpm run docs`); see field-docs.ts. */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { publicTypes, withFieldTables } from "./field-docs";

const README = path.resolve(__dirname, "..", "..", "..", "..", "README.md");
writeFileSync(README, withFieldTables(readFileSync(README, "utf8"), publicTypes()));
