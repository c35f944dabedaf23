import { createHash, randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { dkimRecordValue, generateEd25519Key, generateRsaKey, keyFileText } from "../dkim/keys";
import {
  applyKeyScript,
  type KeyPlacement,
  keyFilePath,
  type Live,
  parseLive,
  removeKeyScript,
  showLive,
  signingLines,
} from "../dkim/opendkim-host";
import { type ConnectionArgs, connectionSchema, sameMachine, secretConnection } from "../remote/connection";
import { withRemoteLock } from "../remote/lock";
import { type PlatformName, platform, platformSchema } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { prelude } from "../remote/script-prelude";
import { parseSections } from "../remote/sections";
import { joinScripts } from "../remote/shell";
import { dnsLabel, fqdn, isHostname } from "../validation/names";
import { parseCidr } from "../validation/networks";
import { checkWithSchema, storedInputs } from "./check";
import { dynamicProvider, dynamicResourceOptions } from "./dynamic";

const selector = dnsLabel;

const trustedHost = z.string().refine((v) => parseCidr(v) !== undefined || (!v.includes("/") && isHostname(v)), {
  message: "must be an IP address, a CIDR such as 10.0.0.0/8, or a host name",
});

/** zod schema of OpenDkimKey's inputs, used by `check`. */
export const openDkimKeySchema = z
  .object({
    connection: connectionSchema,
    profile: platformSchema,
    domain: fqdn,
    selector,
    bits: z
      .number()
      .refine((b) => b === 2048 || b === 3072 || b === 4096, {
        message: "must be 2048, 3072 or 4096: RSA keys under 2048 bits are refused (RFC 8301 says 1024 is too weak)",
      })
      .default(2048),
    ed25519Selector: selector.optional(),
    signing: z.boolean().default(true),
    requirePublished: z.boolean().default(false),
    trustedHosts: z.array(trustedHost).default([]),
  })
  .strict()
  .refine((v) => v.ed25519Selector !== v.selector, {
    message: "must differ from selector: each key needs its own DNS record",
    path: ["ed25519Selector"],
  });

/** Validated OpenDkimKey inputs with defaults applied. */
export type OpenDkimKeyInputs = z.output<typeof openDkimKeySchema>;

/** What the provider stores: the inputs, the generated keys and their records, and what is live on the host. */
export interface OpenDkimKeyState extends OpenDkimKeyInputs {
  /** PEM of the RSA private key (a Pulumi secret). */
  privateKey: string;
  /** `<selector>._domainkey.<domain>`. */
  dkimRecordName: string;
  /** `v=DKIM1; k=rsa; p=...`. */
  dkimRecordValue: string;
  /** PEM of the Ed25519 private key (a Pulumi secret), with `ed25519Selector`. */
  ed25519PrivateKey?: string;
  /** `<ed25519Selector>._domainkey.<domain>`. */
  ed25519RecordName?: string;
  /** `v=DKIM1; k=ed25519; p=...`. */
  ed25519RecordValue?: string;
  /** What was found on the host after the last change or refresh. */
  live: Live;
}

// ---------------------------------------------------------------- model

type Keys = Pick<OpenDkimKeyState, "privateKey" | "ed25519PrivateKey">;

function placement(i: OpenDkimKeyInputs): KeyPlacement {
  const p = platform(i.profile);
  const selectors = [i.selector, ...(i.ed25519Selector ? [i.ed25519Selector] : [])];
  const keyFiles = selectors.map((s) => keyFilePath(p, i.domain, s));
  const keyTable = selectors.map((s, n) => `${s}._domainkey.${i.domain} ${i.domain}:${s}:${keyFiles[n]}`);
  const k = { domain: i.domain, selector: i.selector, keyFiles, keyTable, trusted: i.trustedHosts };
  return { ...k, signing: i.signing ? signingLines(k) : [] };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The live state these inputs and keys ask for. */
function desiredLive(i: OpenDkimKeyInputs, keys: Keys): Live {
  const files = placement(i).keyFiles;
  const pems = [keys.privateKey, ...(keys.ed25519PrivateKey ? [keys.ed25519PrivateKey] : [])];
  return {
    keys: Object.fromEntries(files.map((f, n) => [f, sha256(keyFileText(pems[n]))])),
    keyTable: true,
    signing: i.signing,
    milter: true,
    running: true,
    conf: true,
  };
}

function newKeys(i: OpenDkimKeyInputs): Omit<OpenDkimKeyState, keyof OpenDkimKeyInputs | "live"> {
  const rsa = generateRsaKey(i.bits);
  const state: Omit<OpenDkimKeyState, keyof OpenDkimKeyInputs | "live"> = {
    privateKey: rsa.privateKeyPem,
    dkimRecordName: `${i.selector}._domainkey.${i.domain}`,
    dkimRecordValue: dkimRecordValue("rsa", rsa.publicKey),
  };
  if (i.ed25519Selector) {
    const ed = generateEd25519Key();
    state.ed25519PrivateKey = ed.privateKeyPem;
    state.ed25519RecordName = `${i.ed25519Selector}._domainkey.${i.domain}`;
    state.ed25519RecordValue = dkimRecordValue("ed25519", ed.publicKey);
  }
  return state;
}

// ---------------------------------------------------------------- remote steps

async function applyOnHost(i: OpenDkimKeyInputs, keys: Keys): Promise<Live> {
  const p = platform(i.profile);
  const k = placement(i);
  const script = joinScripts([
    prelude(p),
    withRemoteLock(applyKeyScript(p, k, { ed25519: i.ed25519Selector !== undefined, verify: i.requirePublished })),
    showLive(p, k),
  ]);
  const stdin = keyFileText(keys.privateKey) + (keys.ed25519PrivateKey ? keyFileText(keys.ed25519PrivateKey) : "");
  const host = new RemoteHost(i.connection);
  const result = await host.exclusive(() => host.run(script, { step: "install the DKIM key and OpenDKIM", stdin }));
  return parseLive(parseSections(result.stdout).live ?? "");
}

async function readLive(i: OpenDkimKeyInputs): Promise<Live> {
  const p = platform(i.profile);
  const host = new RemoteHost(i.connection);
  const result = await host.run(joinScripts([prelude(p), showLive(p, placement(i))]), {
    step: "read the DKIM key and OpenDKIM",
  });
  return parseLive(parseSections(result.stdout).live ?? "");
}

// ---------------------------------------------------------------- hooks

const STATE_KEYS = [
  "privateKey",
  "dkimRecordName",
  "dkimRecordValue",
  "ed25519PrivateKey",
  "ed25519RecordName",
  "ed25519RecordValue",
  "live",
] as const;

function parseInputs(raw: Record<string, unknown>): OpenDkimKeyInputs {
  return storedInputs(openDkimKeySchema, raw, STATE_KEYS);
}

function parseState(raw: Record<string, unknown>): OpenDkimKeyState {
  const kept = Object.fromEntries(STATE_KEYS.filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]]));
  return { ...parseInputs(raw), ...(kept as unknown as Omit<OpenDkimKeyState, keyof OpenDkimKeyInputs>) };
}

/** Inputs whose change means a new key: the resource is replaced. */
function replacedBy(old: OpenDkimKeyInputs, next: OpenDkimKeyInputs): string[] {
  const r: string[] = [];
  if (!sameMachine(old.connection, next.connection)) r.push("connection");
  for (const k of ["profile", "domain", "selector", "bits", "ed25519Selector"] as const) {
    if (old[k] !== next[k]) r.push(k);
  }
  return r;
}

/** The OpenDkimKey hooks, run by the engine's dynamic-provider host. */
export const openDkimKeyProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkWithSchema(openDkimKeySchema, news);
  },

  async diff(_id, olds, news) {
    const old = parseState(olds);
    const next = parseInputs(news);
    const replaces = replacedBy(old, next);
    // Key order is not kept across the engine's Struct encoding: compare structurally.
    const inputsChanged = !isDeepStrictEqual(parseInputs(olds), next);
    const drifted = !isDeepStrictEqual(old.live, desiredLive(next, old));
    return { changes: replaces.length > 0 || inputsChanged || drifted, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const i = parseInputs(inputs);
    const keys = newKeys(i);
    const live = await applyOnHost(i, keys);
    return {
      id: `${i.connection.host}/opendkim/${i.domain}/${i.selector}/${randomUUID()}`,
      outs: { ...i, ...keys, live },
    };
  },

  async read(id, props) {
    const old = parseState(props);
    return { id, props: { ...old, live: await readLive(old) } };
  },

  async update(_id, olds, news) {
    const old = parseState(olds);
    const i = parseInputs(news);
    const live = await applyOnHost(i, old);
    const { live: _stale, ...keep } = old;
    return { outs: { ...keep, ...i, live } };
  },

  async delete(_id, props) {
    const old = parseState(props);
    const p = platform(old.profile);
    const host = new RemoteHost(old.connection);
    await host.exclusive(() =>
      host.run(joinScripts([prelude(p), withRemoteLock(removeKeyScript(p, placement(old)))]), {
        step: "remove the DKIM key",
      }),
    );
  },
};

// ---------------------------------------------------------------- resource

/** Arguments of {@link OpenDkimKey}. */
export interface OpenDkimKeyArgs {
  /** How to reach the host running Postfix, with its pinned host key. */
  connection: ConnectionArgs;
  /** Host flavour: `smartos` (pkgsrc, SMF; default) or `linux` (Debian/Ubuntu, also lx zones). */
  profile?: pulumi.Input<PlatformName>;
  /** The domain whose mail this key signs (`d=`), e.g. `example.com`; `*@domain` in the SigningTable. */
  domain: pulumi.Input<string>;
  /** The selector (`s=`); the public key is published at `<selector>._domainkey.<domain>`. The guide uses `default`. */
  selector: pulumi.Input<string>;
  /** RSA key size: 2048 (default, as the guide), 3072 or 4096. Smaller keys are refused. */
  bits?: pulumi.Input<number>;
  /**
   * A second selector for an Ed25519 key that signs beside the RSA key (RFC 8463 dual signing).
   * Refused at apply time, with the reason, when the host's OpenDKIM cannot: OpenDKIM 2.11.0 and
   * older (Debian 12, pkgsrc) sign every key with one algorithm, so they cannot dual-sign.
   */
  ed25519Selector?: pulumi.Input<string>;
  /**
   * Whether this key signs mail. Default true. Set false to install a new key
   * and publish its record ahead of a rotation; see the README's rotation steps.
   */
  signing?: pulumi.Input<boolean>;
  /**
   * Only switch signing on once DNS serves this key's record, as
   * `opendkim-testkey` on the host sees it; until then `pulumi up` fails
   * with a message saying so. Default false. Use it when rotating keys.
   */
  requirePublished?: pulumi.Input<boolean>;
  /** Hosts whose mail OpenDKIM signs, beyond 127.0.0.1 and ::1 (the guide's TrustedHosts), e.g. a relaying network. */
  trustedHosts?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * A DKIM signing key for one domain and selector on a Postfix host, with
 * OpenDKIM set up as the guide does it: installed, configured with the
 * KeyTable, SigningTable and TrustedHosts, the guide's owners and modes,
 * Postfix in the opendkim group and the milter settings in main.cf. The key
 * is generated on the Pulumi side and kept in state only as a secret.
 */
export class OpenDkimKey extends pulumi.dynamic.Resource {
  /** `<selector>._domainkey.<domain>`: where the public key is published. */
  declare readonly dkimRecordName: pulumi.Output<string>;
  /** The DKIM TXT record value: `v=DKIM1; k=rsa; p=...`. */
  declare readonly dkimRecordValue: pulumi.Output<string>;
  /** The RSA private key in PEM (secret). */
  declare readonly privateKey: pulumi.Output<string>;
  /** `<ed25519Selector>._domainkey.<domain>`, with `ed25519Selector`. */
  declare readonly ed25519RecordName: pulumi.Output<string | undefined>;
  /** `v=DKIM1; k=ed25519; p=...`, with `ed25519Selector`. */
  declare readonly ed25519RecordValue: pulumi.Output<string | undefined>;
  /** The Ed25519 private key in PEM (secret), with `ed25519Selector`. */
  declare readonly ed25519PrivateKey: pulumi.Output<string | undefined>;
  /** What was live on the host after the last change or refresh. */
  declare readonly live: pulumi.Output<Live>;

  /**
   * @param name the resource name.
   * @param args the key and where it signs; see {@link OpenDkimKeyArgs}.
   * @param opts resource options.
   */
  constructor(name: string, args: OpenDkimKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider("openDkimKey"),
      name,
      {
        ...args,
        connection: secretConnection(args.connection),
        privateKey: undefined,
        dkimRecordName: undefined,
        dkimRecordValue: undefined,
        ed25519PrivateKey: undefined,
        ed25519RecordName: undefined,
        ed25519RecordValue: undefined,
        live: undefined,
      },
      {
        ...dynamicResourceOptions("OpenDkimKey", name, opts),
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "privateKey", "ed25519PrivateKey"],
      },
      "smartos-mail",
      "OpenDkimKey",
    );
  }
}
