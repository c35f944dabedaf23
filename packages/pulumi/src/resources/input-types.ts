import type * as pulumi from "@pulumi/pulumi";

type Primitive = string | number | boolean | null | undefined;

/**
 * A value as a resource argument takes it: the value, a promise of it or an
 * output, at every level, as Pulumi's own resources take their arguments.
 * An optional value stays optional; a union of literals stays one input.
 */
export type InputOf<T> = [T] extends [Primitive]
  ? pulumi.Input<T>
  : undefined extends T
    ? DefinedInputOf<Exclude<T, undefined>> | undefined
    : DefinedInputOf<T>;

type DefinedInputOf<T> = [T] extends [Primitive]
  ? pulumi.Input<T>
  : T extends readonly (infer E)[]
    ? pulumi.Input<InputOf<E>[]>
    : T extends object
      ? pulumi.Input<InputsOf<T>>
      : pulumi.Input<T>;

/** An object's fields as resource arguments (see {@link InputOf}); optional fields stay optional. */
export type InputsOf<T> = { [K in keyof T]: InputOf<T[K]> };
