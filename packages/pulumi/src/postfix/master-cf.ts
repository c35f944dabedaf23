import { type Script, sh } from "../remote/shell";

/**
 * Creates or replaces the master.cf service `name/type` in the staged
 * master.cf with `postconf -M` (never by editing the file). `fields` is the
 * whole entry: `name type private unpriv chroot wakeup maxproc command`.
 * Refuses, leaving everything as it was, if the live master.cf already has
 * this service and `owned` is false: it belongs to someone else.
 */
export function stageService(name: string, type: string, fields: string, owned: boolean): Script {
  const service = `${name}/${type}`;
  const guard = owned
    ? sh`:`
    : sh`[ -z "$(postconf -c "$cfg" -M ${service} 2>/dev/null)" ] || fail ${`master.cf already has a service ${service} that smartos-mail did not create; pick another transport name or remove that service`}`;
  return sh`${guard}
postconf -c "$stage" -M ${`${service}=${fields}`} 2>"$stage/postconf.err" || fail "postconf -M failed: $(cat "$stage/postconf.err")"`;
}

/** Removes the service `name/type` from the staged master.cf (`postconf -MX`); absent is fine. */
export function stageServiceRemoval(name: string, type: string): Script {
  const service = `${name}/${type}`;
  return sh`postconf -c "$stage" -MX ${service} 2>"$stage/postconf.err" || fail "postconf -MX failed: $(cat "$stage/postconf.err")"`;
}

/** Prints the live master.cf entries of these services, one line each (absent ones print nothing). */
export function showServices(services: readonly string[]): Script {
  return services.length === 0 ? sh`:` : sh`postconf -M ${services} 2>/dev/null || true`;
}

/** Parses `postconf -M` output into `name/type` -> the entry's fields joined by single spaces. */
export function parseServices(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    out[`${fields[0]}/${fields[1]}`] = fields.join(" ");
  }
  return out;
}
