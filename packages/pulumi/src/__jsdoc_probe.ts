import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

const s = z
  .object({
    /** The host name. */
    host: z.string().describe("The host name."),
    /** Port doc. */
    port: z.number().default(22),
    nested: z.object({ /** inner doc */ a: z.string() }).optional(),
  })
  .strict()
  .transform((v) => v);
type Inputify<T> = T extends string | number | boolean | null | undefined
  ? pulumi.Input<T>
  : T extends readonly (infer E)[]
    ? pulumi.Input<Inputify<E>[]>
    : T extends object
      ? pulumi.Input<{ [K in keyof T]: Inputify<T[K]> }>
      : never;
export type Args = { [K in keyof z.input<typeof s>]: Inputify<z.input<typeof s>[K]> };
