import { hostShell } from "../../integration-tests/dist/harness/testbed";
import type { PostfixConfigArgs } from "../../packages/pulumi/dist/index";
import type { BenchHost } from "./hosts";

/**
 * The one piece of work all three ways do: the guide's "Configuring Postfix"
 * and "Using an Authenticated Relay Service" steps on a Debian host, plus the
 * root alias and two extra main.cf parameters.
 */

/** myhostname on create; the one-change update sets {@link UPDATED_HOSTNAME}. */
export const CREATE_HOSTNAME = "mx.cospix.net";
/** myhostname after the one-change update. */
export const UPDATED_HOSTNAME = "mx1.cospix.net";

/** Where Debian keeps the SASL map (PostfixConfig's `linux` profile; the guide's path is SmartOS's). */
export const SASL_MAP = "/etc/postfix/sasl/smtp_passwd";
/** The relay, as postconf and the SASL map key write it. */
export const RELAYHOST = "[relay.example.net]:587";
/** SASL login; the password has a space, quotes and a dollar so every way must quote it right. */
export const SASL = { username: "mailer", password: "relay pass 'with' $pecial" };
/** Target of the `root:` alias. */
export const ROOT_ALIAS = "ops@example.com";

/** The main.cf parameters every way sets, as `postconf -n` shows them afterwards. */
export function mainCfParameters(myhostname: string): Record<string, string> {
  return {
    myhostname,
    mydomain: "cospix.net",
    mynetworks: "$myhostname, 127.0.0.0/8, [::1]/128, 198.18.0.0/24",
    inet_interfaces: "all",
    relayhost: RELAYHOST,
    smtp_sasl_auth_enable: "yes",
    smtp_sasl_password_maps: `hash:${SASL_MAP}`,
    smtp_sasl_security_options: "noanonymous",
    // PostfixConfig sets this with saslRelay (the guide's TLS warning); the others do it too.
    smtp_tls_security_level: "encrypt",
    smtpd_banner: "$myhostname ESMTP",
    delay_warning_time: "4h",
  };
}

/** The same work as PostfixConfig arguments. */
export function postfixConfigArgs(host: BenchHost, myhostname: string): PostfixConfigArgs {
  return {
    connection: {
      host: host.host,
      port: host.port,
      user: host.user,
      privateKey: host.privateKey,
      hostKeyFingerprint: host.hostKeyFingerprint,
    },
    profile: "linux",
    myhostname,
    mydomain: "cospix.net",
    mynetworks: ["$myhostname", "127.0.0.0/8", "[::1]/128", "198.18.0.0/24"],
    inetInterfaces: ["all"],
    relayhost: { host: "relay.example.net", port: 587 },
    saslRelay: { username: SASL.username, password: SASL.password },
    rootAlias: ROOT_ALIAS,
    parameters: { smtpd_banner: "$myhostname ESMTP", delay_warning_time: "4h" },
  };
}

/** The `name = value` lines of {@link mainCfParameters} that `postconf -n` output lacks. */
export function missingParameters(postconfN: string, myhostname: string): string[] {
  const lines = new Set(postconfN.split("\n"));
  return Object.entries(mainCfParameters(myhostname))
    .map(([k, v]) => `${k} = ${v}`)
    .filter((line) => !lines.has(line));
}

/** The hand edit the drift checks must see: one managed main.cf value changed on the host. */
export const HAND_EDIT = { parameter: "delay_warning_time", value: "8h" } as const;

/**
 * Changes {@link HAND_EDIT} on the host as an operator would (`postconf -e`, `postfix reload`), from
 * inside it, so it opens no SSH login the refresh would be charged with.
 */
export function handEdit(hostName: string): void {
  const r = hostShell(
    hostName,
    `postconf -e '${HAND_EDIT.parameter}=${HAND_EDIT.value}' && postfix reload >/dev/null 2>&1`,
  );
  if (r.code !== 0) throw new Error(`the hand edit on ${hostName} failed: ${r.stderr}`);
}

/**
 * What is wrong with the host after the work (empty: it is all done), read
 * outside sshd so the check opens no SSH login: every parameter, the SASL map
 * and its .db at 0600 with the login found by postmap, root aliased in the
 * alias database, Postfix running.
 */
export function workProblems(hostName: string, myhostname: string): string[] {
  const script = [
    "postconf -n",
    "echo '#stat'",
    `stat -c '%a %U' ${SASL_MAP} ${SASL_MAP}.db 2>&1`,
    "echo '#sasl'",
    `postmap -q '${RELAYHOST}' hash:${SASL_MAP} 2>&1`,
    "echo '#alias'",
    "postalias -q root hash:/etc/aliases 2>&1",
    "echo '#status'",
    "postfix status >/dev/null 2>&1; echo $?",
  ].join("\n");
  const out = hostShell(hostName, script).stdout;
  const [postconf, rest = ""] = out.split("#stat\n");
  const [stat = "", rest2 = ""] = rest.split("#sasl\n");
  const [sasl = "", rest3 = ""] = rest2.split("#alias\n");
  const [alias = "", status = ""] = rest3.split("#status\n");
  const problems = missingParameters(postconf, myhostname).map((line) => `postconf -n lacks "${line}"`);
  if (stat !== "600 root\n600 root\n") problems.push(`SASL map modes: ${JSON.stringify(stat)}`);
  if (sasl !== `${SASL.username}:${SASL.password}\n`) problems.push("postmap -q does not find the SASL login");
  if (alias !== `${ROOT_ALIAS}\n`) problems.push(`root alias: ${JSON.stringify(alias)}`);
  if (status !== "0\n") problems.push("Postfix is not running");
  return problems;
}

/** Throws unless the work is done on the host: a benchmark of work not done measures nothing. */
export function assertWorkDone(hostName: string, myhostname: string, by: string): void {
  const problems = workProblems(hostName, myhostname);
  if (problems.length > 0) throw new Error(`${by} left ${hostName} without the work done:\n  ${problems.join("\n  ")}`);
}
