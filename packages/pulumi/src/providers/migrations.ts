import type { ResourceKind } from "../resources/kinds";

/** A resource's properties as the engine stored them: inputs and outputs side by side. */
export type StoredProperties = Record<string, unknown>;

/** One step of a kind's state from version `n` to `n + 1`: pure, it reads no host. */
export type Migration = (stored: StoredProperties) => StoredProperties;

/**
 * Each kind's migrations, keyed by the state version they start from. A kind
 * with no step for a version stored nothing that version changed.
 *
 * Version 1 is every state written before versions were recorded, by 0.1.0 or
 * by a build before it: each step from 1 brings the oldest such state to what
 * version 2 reads, and passes state 0.1.0 wrote through unchanged.
 */
export const MIGRATIONS: Record<ResourceKind, Partial<Record<number, Migration>>> = {
  postfixConfig: {
    // Before the relay rule (fb98275) there was no openRelay output: not known to relay.
    1: (s) => ({ ...s, openRelay: s.openRelay ?? null }),
  },
  openDkimKey: {},
  rateLimitTransport: {},
  inboundSmtpFirewall: {},
  mailArchive: {},
  // New in the release after 0.2.0: it starts at the state version of the day, with no steps.
  deliveryFeedback: {},
  mailLogReport: {
    // Before 87975cd the default log was stored with its shell quotes ('/var/log/syslog'), a file that does not
    // exist. Unquoted, the cron line built on the quoted one no longer matches it, so the next up repairs the line.
    1: (s) =>
      typeof s.reportedLog === "string" && /^'[^']*'$/.test(s.reportedLog)
        ? { ...s, reportedLog: s.reportedLog.slice(1, -1) }
        : s,
  },
  smartOsZone: {
    // Before 75733c2 there were no activeNics or pendingReboot: the nics vmadm listed were active, none pending.
    1: (s) => ({
      ...s,
      activeNics: s.activeNics ?? (s.live as { nics?: unknown } | undefined)?.nics ?? [],
      pendingReboot: s.pendingReboot ?? [],
    }),
  },
  zoneDatasets: {},
};
