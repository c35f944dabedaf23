import assert from "node:assert/strict";
import { EXAMPLE_HOST_STATE } from "../harness/example-stack";
import { hostShell } from "../harness/testbed";
import { GUIDE_IMAGE, MAIL_QUOTA } from "../upgrade/kitchen-sink";
import { upgradeProgram } from "../upgrade/programs";
import { upgradeSuite } from "../upgrade/upgrade-suite";

const DEBIAN = { name: "upks", index: 121 } as const;
const SMARTOS = { name: "upkgz", index: 122 } as const;
/** The zone's address in each baseline's run: 198.18.0.142, .143, ... (no testbed host uses 132 and up). */
const zoneIp = (run: number) => `198.18.0.${142 + run}`;

// Every resource kind with every optional field set, made by the release and carried on by HEAD.
upgradeSuite({
  program: "kitchen-sink",
  hosts: [
    {
      ...DEBIAN,
      state: [EXAMPLE_HOST_STATE, "nft list ruleset", "ls /root/scripts 2>/dev/null"].join("; echo ---; "),
    },
    {
      ...SMARTOS,
      personality: "smartos",
      state: [
        "vmadm list -p -H -o uuid,alias,state,quota",
        `zfs list -H -o name,quota,mountpoint,mounted | grep -v '^zones/${GUIDE_IMAGE}'`,
        "ip -4 -o addr show dev eth0",
        "stat -c '%n %a %U %G' /var/mail /var/spool/postfix",
        "df --output=target /var/mail /var/spool/postfix",
        "/opt/local/sbin/postconf -n",
      ].join("; echo ---; "),
    },
  ],
  config: ([debian, smartos], agentSocket, run) =>
    Object.entries({
      debianHost: debian.host,
      debianFingerprint: debian.hostKeyFingerprint,
      smartosHost: smartos.host,
      smartosFingerprint: smartos.hostKeyFingerprint,
      agentSocket,
      zoneIp: zoneIp(run),
    }).map(([key, value]) => ({ key, value })),
  edit: {
    resource: "ks-datasets",
    make: async () => upgradeProgram("kitchen-sink", undefined, true),
    applied: (stack) => {
      const uuid = String(stack.resource("ks-zone")?.outputs.uuid);
      assert.equal(
        hostShell(SMARTOS.name, `zfs get -H -o value quota zones/${uuid}/data/mail`).stdout,
        `${MAIL_QUOTA.edited}G\n`,
      );
    },
  },
});
