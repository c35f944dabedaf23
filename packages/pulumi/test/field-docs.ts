/**
 * The README's argument tables, generated from the code: each row is a field
 * of a resource's exported `…Args` type (derived from its zod schema), with the
 * TSDoc written on the schema's field. `readme-fields.test.ts` fails when the
 * README differs; `pnpm run docs` writes it.
 */
import * as path from "node:path";
import ts from "typescript";
import type { z } from "zod";

/** One row of an argument table. */
export interface FieldRow {
  /** The field's path: `relayhost.port`, `transports[].name`. */
  path: string;
  /** Whether the field may be left out. */
  optional: boolean;
  /** Its type as written in TypeScript, without the `Input` wrappers. */
  type: string;
  /** The TSDoc on the schema's field. */
  doc: string;
}

/** Fields documented in a table of their own (by path), and that table. */
const SHARED_TABLES: Record<string, string> = { connection: "ConnectionArgs" };

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

/** The package's public types, as the compiler sees them from its entry point. */
export function publicTypes(): { checker: ts.TypeChecker; exports: Map<string, ts.Symbol> } {
  const entry = path.join(ROOT, "packages", "pulumi", "src", "index.ts");
  const config = ts.readConfigFile(path.join(ROOT, "tsconfig.base.json"), ts.sys.readFile).config;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const program = ts.createProgram([entry], { ...options, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) throw new Error(`cannot read ${entry}`);
  const module = checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${entry} has no exports`);
  const exports = new Map(checker.getExportsOfModule(module).map((s) => [s.name, s]));
  return { checker, exports };
}

/** The value a `pulumi.Input<T>` (or `T | undefined`) stands for: T. */
function plainType(type: ts.Type): ts.Type[] {
  const parts = type.isUnion() ? type.types : [type];
  return parts.filter((t) => {
    if (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) return false;
    const name = t.getSymbol()?.name;
    return name !== "Promise" && name !== "OutputInstance" && name !== "Output";
  });
}

function isRecord(checker: ts.TypeChecker, t: ts.Type): boolean {
  return checker.getIndexInfosOfType(t).length > 0 && t.getProperties().length === 0;
}

function isObject(checker: ts.TypeChecker, t: ts.Type): boolean {
  // An intersection of objects (`z.input<…> & { value: … }`) is one object too.
  if (t.isIntersection()) return t.types.every((part) => isObject(checker, part));
  return (t.flags & ts.TypeFlags.Object) !== 0 && !checker.isArrayType(t) && !isRecord(checker, t);
}

/** How a type reads in the table; `rows` gets the nested fields of objects. */
function describe(checker: ts.TypeChecker, parts: ts.Type[], at: string, rows: FieldRow[]): string {
  if (parts.length === 1 && isObject(checker, parts[0])) {
    if (Object.hasOwn(SHARED_TABLES, at)) return SHARED_TABLES[at];
    fieldsOf(checker, parts[0], `${at}.`, rows);
    return "object";
  }
  if (parts.length === 1 && checker.isArrayType(parts[0])) {
    const [element] = checker.getTypeArguments(parts[0] as ts.TypeReference);
    const text = describe(checker, plainType(element), `${at}[]`, rows);
    return text.includes(" | ") ? `(${text})[]` : `${text}[]`;
  }
  if (parts.length === 1 && isRecord(checker, parts[0])) {
    const [info] = checker.getIndexInfosOfType(parts[0]);
    return `Record<string, ${describe(checker, plainType(info.type), `${at}.*`, rows)}>`;
  }
  // A union with objects in it (SPF mechanisms, `dmarc`'s tags or false): their fields are nested rows, merged by name.
  const objects = parts.filter((p) => isObject(checker, p));
  if (objects.length > 0) fieldsOf(checker, objects, `${at}.`, rows);
  const texts = parts.map((p) => (isObject(checker, p) ? "object" : checker.typeToString(p)));
  // true | false is how the compiler spells boolean.
  const joined = [...new Set(texts)].join(" | ").replace(/\bfalse \| true\b/, "boolean");
  return joined;
}

/**
 * The rows of an object type's fields. Given the members of a union, a field any of them has is one row: optional
 * unless every member requires it, its type the union of theirs, its doc each member's distinct doc in turn.
 */
function fieldsOf(checker: ts.TypeChecker, members: ts.Type | ts.Type[], prefix: string, rows: FieldRow[]): void {
  const types = Array.isArray(members) ? members : [members];
  const byName = new Map<string, ts.Symbol[]>();
  for (const type of types) {
    for (const symbol of checker.getPropertiesOfType(type))
      byName.set(symbol.name, [...(byName.get(symbol.name) ?? []), symbol]);
  }
  for (const [name, symbols] of byName) {
    const docs = symbols.map((s) =>
      ts.displayPartsToString(s.getDocumentationComment(checker)).replace(/\s+/g, " ").trim(),
    );
    const row: FieldRow = {
      path: `${prefix}${name}`,
      optional: symbols.length < types.length || symbols.some((s) => (s.flags & ts.SymbolFlags.Optional) !== 0),
      type: "",
      // Undocumented in one member is undocumented: the README test then names the row.
      doc: docs.includes("") ? "" : [...new Set(docs)].join(" "),
    };
    rows.push(row);
    const parts = [...new Set(symbols.flatMap((s) => plainType(checker.getTypeOfSymbol(s))))];
    row.type = describe(checker, parts, row.path, rows);
  }
}

/** The rows of one exported type's table, nested fields after their parent. */
export function fieldRows(types: ReturnType<typeof publicTypes>, typeName: string): FieldRow[] {
  const symbol = types.exports.get(typeName);
  if (!symbol) throw new Error(`@smartos-mail/pulumi exports no ${typeName}`);
  const target = symbol.flags & ts.SymbolFlags.Alias ? types.checker.getAliasedSymbol(symbol) : symbol;
  const rows: FieldRow[] = [];
  fieldsOf(types.checker, types.checker.getDeclaredTypeOfSymbol(target), "", rows);
  return rows;
}

/** A markdown table of the rows, its columns padded as the repository's formatter (biome) pads them. */
export function renderFieldTable(rows: FieldRow[]): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const table = [
    ["Field", "Type", "Description"],
    ...rows.map((r) => [`\`${r.path}\`${r.optional ? "" : " (required)"}`, `\`${cell(r.type)}\``, cell(r.doc)]),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(3, ...table.map((line) => [...line[c]].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((text, c) => text + " ".repeat(widths[c] - [...text].length)).join(" | ")} |`;
  return [line(table[0]), line(widths.map((w) => "-".repeat(w))), ...table.slice(1).map(line)].join("\n");
}

/** Every field path a zod schema accepts, as {@link FieldRow.path} spells them, down to `stopAt` paths. */
export function schemaPaths(schema: z.ZodType, stopAt: ReadonlySet<string> = new Set(), prefix = ""): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  switch (def.type) {
    case "optional":
    case "default":
    case "nullable":
    case "prefault":
    case "readonly":
      return schemaPaths(def.innerType as z.ZodType, stopAt, prefix);
    case "pipe":
      return schemaPaths(def.in as z.ZodType, stopAt, prefix);
    case "array":
      return schemaPaths(def.element as z.ZodType, stopAt, `${prefix}[]`);
    case "record":
      return schemaPaths(def.valueType as z.ZodType, stopAt, `${prefix}.*`);
    case "union":
      return [...new Set((def.options as z.ZodType[]).flatMap((o) => schemaPaths(o, stopAt, prefix)))];
    case "object": {
      const shape = def.shape as Record<string, z.ZodType>;
      return Object.entries(shape).flatMap(([key, field]) => {
        const at = prefix ? `${prefix}.${key}` : key;
        return [at, ...(stopAt.has(at) ? [] : schemaPaths(field, stopAt, at))];
      });
    }
    default:
      return [];
  }
}

/** The README's generated tables: `<!-- fields:TypeName -->` … `<!-- /fields -->`, each made anew. */
export function withFieldTables(readme: string, types: ReturnType<typeof publicTypes>): string {
  return readme.replace(
    /<!-- fields:(\w+) -->\n[\s\S]*?<!-- \/fields -->/g,
    (_all, name: string) => `<!-- fields:${name} -->\n${renderFieldTable(fieldRows(types, name))}\n<!-- /fields -->`,
  );
}
