import { type Connection, sameMachine } from "../remote/connection";
import type { PlatformName } from "../remote/platform";

/** The inputs every resource on a host starts with. */
interface OnHost {
  connection: Connection;
  profile: PlatformName;
}

/**
 * The replacement reasons every host resource shares: another machine (host
 * or port) or another platform profile, whose paths and services differ.
 */
export function hostReplaces(old: OnHost, next: OnHost): string[] {
  const replaces: string[] = [];
  if (!sameMachine(old.connection, next.connection)) replaces.push("connection");
  if (old.profile !== next.profile) replaces.push("profile");
  return replaces;
}

/** Whether any connection detail changed: a new key or fingerprint is an update, so state holds the new one. */
export function connectionChanged(old: OnHost, next: OnHost): boolean {
  return JSON.stringify(old.connection) !== JSON.stringify(next.connection);
}
