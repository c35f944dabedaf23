export { PostfixConfig, type PostfixConfigArgs } from "./providers/postfix-config";
export type { ConnectionArgs } from "./remote/connection";
export { HostKeyMismatchError } from "./remote/host-key";
export type { PlatformName } from "./remote/platform";
