/**
 * The engine's marker of a secret value in property maps, state and exported stacks:
 * `{ [SIG_KEY]: SECRET_SIG, ... }` with `value`, `ciphertext` (state) or `plaintext`
 * (`stack export --show-secrets`) beside it (sdk/go/common/resource/sig, `Secret`).
 */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
