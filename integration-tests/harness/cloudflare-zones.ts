import { createHash } from "node:crypto";

/**
 * A Cloudflare zone id for a test zone: 32 lower-case hex digits, as Cloudflare's ids are, derived from the
 * zone's name so each test file names the same zone the same way.
 */
export function zoneIdOf(zone: string): string {
  return createHash("sha256").update(zone).digest("hex").slice(0, 32);
}

/** The zone map (id → name) of these zones, for `PulumiStack.seedCloudflare`. */
export function zonesOf(...zones: string[]): Record<string, string> {
  return Object.fromEntries(zones.map((z) => [zoneIdOf(z), z]));
}
