import type { PlatformName } from "../remote/platform";
import { type Script, sh } from "../remote/shell";

/** Owner name of the firewall's block in the shared rules file. */
export const FIREWALL_OWNER = "smartos-mail InboundSmtpFirewall";

/** The nftables table holding the Linux rule; a table of its own, so other rules are never touched. */
const NFT_TABLE = "inet smartos_mail_smtp";

/** How one platform blocks inbound SMTP. */
export interface FirewallPlatform {
  /** The rules file the block goes into. */
  readonly rulesFile: string;
  /** The block's text for the interface and ports. */
  rules(iface: string, ports: readonly number[]): string;
  /** Installs the firewall tool when missing. */
  readonly install: Script;
  /** Makes the rules file's current content live and the firewall start at boot. */
  readonly activate: Script;
  /** Takes the block's rules out of the live firewall (the file no longer has them). */
  readonly deactivate: Script;
  /** Prints `active` when the live firewall has the block's rules for the interface. */
  showActive(iface: string): Script;
  /** Prints `enabled` when the firewall service starts at boot (recorded so delete can put it back). */
  readonly showEnabled: Script;
  /** Stops the firewall service starting at boot (only when this resource enabled it and left no rules). */
  readonly disable: Script;
  /** Exits 0 when the rules file `$f` still blocks something besides this resource's block. */
  readonly othersBlock: Script;
  /** The interface the guide's rule names by default. */
  readonly defaultInterface: string;
}

const platforms: Record<PlatformName, FirewallPlatform> = {
  smartos: {
    rulesFile: "/etc/ipf/ipf.conf",
    // The guide's rule: "block in on net0 proto tcp from any to any port = 25".
    rules: (iface, ports) => ports.map((p) => `block in on ${iface} proto tcp from any to any port = ${p}`).join("\n"),
    install: sh`:`,
    // The guide's `svcadm enable ipfilter`; refresh makes a running ipfilter re-read ipf.conf.
    activate: sh`svcadm enable -s ipfilter && svcadm refresh ipfilter || fail "ipfilter did not start with $f: $(svcs -xv ipfilter 2>&1 | tail -n 3)"`,
    deactivate: sh`if [ "$(svcs -H -o state ipfilter 2>/dev/null)" = online ]; then svcadm refresh ipfilter || fail "ipfilter did not reload $f"; fi`,
    showActive: (iface) =>
      sh`if [ "$(svcs -H -o state ipfilter 2>/dev/null)" = online ] && ipfstat -i 2>/dev/null | grep -q ${`^block in on ${iface} proto tcp`}; then echo active; fi`,
    showEnabled: sh`case "$(svcs -H -o state ipfilter 2>/dev/null)" in online|offline*) echo enabled ;; esac`,
    disable: sh`svcadm disable -s ipfilter || fail "cannot disable ipfilter"`,
    othersBlock: sh`grep -Eq '^[[:space:]]*block[[:space:]]' "$f"`,
    defaultInterface: "net0",
  },
  linux: {
    rulesFile: "/etc/nftables.conf",
    rules: (iface, ports) =>
      [
        `table ${NFT_TABLE} {`,
        "  chain input {",
        "    type filter hook input priority filter; policy accept;",
        `    iifname "${iface}" tcp dport { ${ports.join(", ")} } drop`,
        "  }",
        "}",
      ].join("\n"),
    install: sh`command -v nft >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q nftables >/dev/null || fail "cannot install nftables"`,
    // Only this table is (re)loaded, in one transaction: declaring it first
    // makes the delete safe when it does not exist yet.
    activate: sh`{ printf '%s\n' ${`table ${NFT_TABLE}`} ${`delete table ${NFT_TABLE}`}
  awk -v t=${`table ${NFT_TABLE} {`} '$0 == t { on = 1 } on { print } on && $0 == "}" { on = 0 }' "$f"
} >"$f.smartos-mail-nft" || fail "cannot prepare the nftables rules"
nft -f "$f.smartos-mail-nft" 2>"$f.smartos-mail-nft-err" || { err=$(cat "$f.smartos-mail-nft-err"); rm -f "$f.smartos-mail-nft" "$f.smartos-mail-nft-err"; fail "nft refused the rules: $err"; }
rm -f "$f.smartos-mail-nft" "$f.smartos-mail-nft-err"
if [ -d /run/systemd/system ]; then systemctl enable nftables >/dev/null 2>&1 || true; fi`,
    deactivate: sh`nft delete table ${NFT_TABLE} 2>/dev/null || true`,
    showActive: (iface) =>
      sh`if nft list table ${NFT_TABLE} 2>/dev/null | grep -F ${`iifname "${iface}"`} | grep -q 'tcp dport'; then echo active; fi`,
    showEnabled: sh`if [ -d /run/systemd/system ] && systemctl is-enabled nftables >/dev/null 2>&1; then echo enabled; fi`,
    disable: sh`if [ -d /run/systemd/system ]; then systemctl disable nftables >/dev/null 2>&1 || true; fi`,
    othersBlock: sh`grep -Eq '(^|[[:space:]])(drop|reject)([[:space:];]|$)' "$f"`,
    defaultInterface: "eth0",
  },
};

/** The firewall side of a platform profile. */
export function firewallPlatform(name: PlatformName): FirewallPlatform {
  return platforms[name];
}
