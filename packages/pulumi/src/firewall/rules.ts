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
  /** Installs the firewall tool when missing; fails, before anything changes, on a host where the rules file would not load. */
  readonly install: Script;
  /** Makes the rules file's current content live and the firewall start at boot. */
  readonly activate: Script;
  /** Takes the block's rules out of the live firewall (the file no longer has them). */
  readonly deactivate: Script;
  /** Prints `active` when the live firewall has the block's rule for the interface and each port. */
  showActive(iface: string, ports: readonly number[]): Script;
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
    // illumos's ipfilter method loads the rules its policy chooses
    // (firewall_config_default/policy; ipf_include.sh's create_global_rules):
    // /etc/ipf/ipf.conf only with policy custom and custom_policy_file naming
    // it. A zone's policy is none, so the guide's `svcadm enable ipfilter`
    // alone loads nothing. Policy none becomes custom; deny/allow, whose rules
    // SMF generates, and a custom file elsewhere are refused rather than
    // silently replaced.
    install: sh`policy=$(svcprop -p firewall_config_default/policy ipfilter 2>/dev/null) || fail "cannot read ipfilter's firewall_config_default/policy (svcprop)"
case "$policy" in
  none) ;;
  custom)
    custom=$(svcprop -p firewall_config_default/custom_policy_file ipfilter 2>/dev/null)
    [ "$custom" = /etc/ipf/ipf.conf ] || fail "ipfilter's policy is custom with its rules in $custom, so rules in /etc/ipf/ipf.conf would not load: move them there and set firewall_config_default/custom_policy_file to /etc/ipf/ipf.conf (svccfg -s ipfilter setprop), then run up again" ;;
  *) fail "ipfilter's policy is $policy: its rules come from SMF properties, and policy custom (which loads /etc/ipf/ipf.conf) would drop them; put those rules in /etc/ipf/ipf.conf, set firewall_config_default/policy to custom (svccfg -s ipfilter setprop), then run up again" ;;
esac`,
    // svccfg changes the editing snapshot; the refresh makes it the running one
    // and, when ipfilter is online, reloads the rules.
    activate: sh`if [ "$policy" = none ]; then
  { svccfg -s ipfilter setprop firewall_config_default/custom_policy_file = astring: "$f" &&
    svccfg -s ipfilter setprop firewall_config_default/policy = astring: custom; } || fail "svccfg cannot set ipfilter's policy to custom"
fi
svcadm refresh ipfilter && svcadm enable -s ipfilter || fail "ipfilter did not start with $f: $(svcs -xv ipfilter 2>&1 | tail -n 3)"`,
    deactivate: sh`if [ "$(svcs -H -o state ipfilter 2>/dev/null)" = online ]; then svcadm refresh ipfilter || fail "ipfilter did not reload $f"; fi`,
    // The live rules (ipfstat -io), not the file: ipfstat prints a port by its
    // /etc/services name when it has one (ipf's portname()), so either form counts.
    showActive: (iface, ports) =>
      sh`if [ "$(svcs -H -o state ipfilter 2>/dev/null)" = online ]; then
  live=$(ipfstat -io 2>/dev/null); missing=
  for p in ${ports.map(String)}; do
    name=$(awk -v s="$p/tcp" '$2 == s { print $1; exit }' /etc/services 2>/dev/null)
    printf '%s\n' "$live" | grep -Eq "^block in on "${iface}" proto tcp from any to any port = ($p|\${name:-$p})( |\$)" || missing=1
  done
  [ -n "$missing" ] || echo active
fi`,
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
