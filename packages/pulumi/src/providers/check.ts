import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/** The value the engine sends for inputs not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function isUnknownAt(value: unknown, path: readonly PropertyKey[]): boolean {
  let v = value;
  for (const key of path) {
    if (v === UNKNOWN) return true;
    if (v === null || typeof v !== "object") return false;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v === UNKNOWN;
}

function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (value === null || typeof value !== "object") return false;
  return Object.values(value).some(containsUnknown);
}

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    "",
  );
}

interface Issue {
  path: PropertyKey[];
  message: string;
}

/**
 * The issues worth showing for one zod issue. A bad record key carries the key
 * schema's own issues; a union (`{...} | false`) carries each branch's: the
 * branch the value was meant for is the one that got past the type check.
 */
function specific(issue: z.core.$ZodIssue): Issue[] {
  if (issue.code === "invalid_key" && issue.issues[0]) {
    return [{ path: issue.path, message: issue.issues[0].message }];
  }
  if (issue.code === "invalid_union") {
    const branch = issue.errors.find(
      (b) => b.length > 0 && !b.every((i) => i.code === "invalid_type" && i.path.length === 0),
    );
    if (branch) return branch.flatMap((i) => specific({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue));
  }
  return [{ path: issue.path, message: issue.message }];
}

/**
 * The `check` hook of every provider: validates `news` with the resource's
 * zod schema. Each failure names the field and how to fix it. Values unknown
 * during preview are not judged. Nothing runs on any host.
 */
export function checkWithSchema(
  schema: z.ZodType,
  news: Record<string, unknown>,
  providerKey = "__provider",
): pulumi.dynamic.CheckResult {
  const { [providerKey]: _provider, ...inputs } = news;
  const parsed = schema.safeParse(inputs);
  if (parsed.success) {
    return { inputs: { ...(parsed.data as Record<string, unknown>) } };
  }
  const failures = parsed.error.issues
    .flatMap(specific)
    .filter((issue) => !isUnknownAt(inputs, issue.path))
    .map((issue) => {
      const property = pathText(issue.path) || "(inputs)";
      return { property, reason: `${property}: ${issue.message}` };
    });
  if (failures.length === 0 && containsUnknown(inputs)) {
    return { inputs };
  }
  return { inputs, failures };
}

/**
 * A resource's inputs from the properties the engine stored for it (a
 * provider's `olds`/`props`): the provider key and the resource's own output
 * keys are dropped, the rest parsed by its schema, defaults applied.
 */
export function storedInputs<S extends z.ZodType>(
  schema: S,
  raw: Record<string, unknown>,
  outputKeys: readonly string[],
): z.output<S> {
  return schema.parse(
    Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "__provider" && !outputKeys.includes(k))),
  );
}
