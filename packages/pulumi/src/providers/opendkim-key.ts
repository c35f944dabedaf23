import { createHash, randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
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
import { withRemoteLock } from "../remote/lock";
import { platform } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { prelude } from "../remote/script-prelude";
import { parseSections } from "../remote/sections";
import { joinScripts } from "../remote/shell";
import { type OpenDkimKeyInputs, type OpenDkimKeyState, openDkimKeySchema } from "../schemas/opendkim-key";
import { hostProvider } from "./host-provider";

// ---------------------------------------------------------------- model

type Keys = Pick<OpenDkimKeyState, "privateKey" | "ed25519PrivateKey">;

function placement(i: OpenDkimKeyInputs): KeyPlacement {
  const p = platform(i.profile);
  const selectors = [i.selector, ...(i.ed25519Selector ? [i.ed25519Selector] : [])];
  const keyFiles = selectors.map((s) => keyFilePath(p, i.domain, s));
  const keyTable = selectors.map((s, n) => `${s}._domainkey.${i.domain} ${i.domain}:${s}:${keyFiles[n]}`);
  const k = {
    domain: i.domain,
    subdomains: i.subdomains,
    selector: i.selector,
    keyFiles,
    keyTable,
    trusted: i.trustedHosts,
  };
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

/** The OpenDkimKey hooks, run by the engine's dynamic-provider host. */
export const openDkimKeyProvider = hostProvider<OpenDkimKeyInputs, OpenDkimKeyState>({
  kind: "openDkimKey",
  schema: openDkimKeySchema,
  // Another domain, selector, key size or Ed25519 selector means a new key.
  replaceOn: ["domain", "selector", "bits", "ed25519Selector"],
  // A key file, table or the milter changed by hand: the next up puts it back.
  drifted: (old, next) => !isDeepStrictEqual(old.live, desiredLive(next, old)),
  // The replacement key is made before the old one is removed.
  deleteBeforeReplace: () => false,
  id: (s) => `${s.connection.host}/opendkim/${s.domain}/${s.selector}/${randomUUID()}`,
  async create(i) {
    const keys = newKeys(i);
    const live = await applyOnHost(i, keys);
    return { ...i, ...keys, live };
  },
  async read(old) {
    return { ...old, live: await readLive(old) };
  },
  async update(old, i) {
    const live = await applyOnHost(i, old);
    const { live: _stale, ...keep } = old;
    return { ...keep, ...i, live };
  },
  async delete(old) {
    const p = platform(old.profile);
    const host = new RemoteHost(old.connection);
    await host.exclusive(() =>
      host.run(joinScripts([prelude(p), withRemoteLock(removeKeyScript(p, placement(old)))]), {
        step: "remove the DKIM key",
      }),
    );
  },
});
