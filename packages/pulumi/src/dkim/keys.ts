import type * as Forge from "node-forge";

/** node-forge, loaded on first use: only the provider process makes or reads keys. */
const forgeLib = (): typeof Forge => require("node-forge");

/** A DKIM signing key: the private key as OpenDKIM reads it and the `p=` of its DNS record. */
export interface DkimKeyPair {
  /** PEM text of the private key (PKCS#1 for RSA, PKCS#8 for Ed25519). */
  privateKeyPem: string;
  /** Base64 of the public key as the DKIM record's `p=` tag carries it. */
  publicKey: string;
}

/**
 * A new RSA key. node-forge hands generation to Node's native crypto when it
 * can, so 2048 bits take well under a second. `p=` is the DER
 * SubjectPublicKeyInfo, as opendkim-genkey writes it.
 */
export function generateRsaKey(bits: number): DkimKeyPair {
  const forge = forgeLib();
  const pair = forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 });
  return {
    privateKeyPem: keyFileText(forge.pki.privateKeyToPem(pair.privateKey)),
    publicKey: rsaPublicKeyOf(pair.publicKey),
  };
}

function rsaPublicKeyOf(key: Forge.pki.rsa.PublicKey): string {
  const forge = forgeLib();
  return forge.util.encode64(forge.asn1.toDer(forge.pki.publicKeyToAsn1(key)).getBytes());
}

/** The bit length and `p=` of an RSA private key in PEM. */
export function rsaKeyInfo(privateKeyPem: string): { bits: number; publicKey: string } {
  const forge = forgeLib();
  const key = forge.pki.privateKeyFromPem(privateKeyPem);
  return { bits: key.n.bitLength(), publicKey: rsaPublicKeyOf(forge.pki.setRsaPublicKey(key.n, key.e)) };
}

// id-Ed25519 (RFC 8410).
const ED25519_OID = "1.3.101.112";

/**
 * A new Ed25519 key (RFC 8463). The private key is written as PKCS#8 PEM
 * (RFC 8410), which OpenDKIM 2.11 loads; `p=` is the bare 32-byte public key.
 */
export function generateEd25519Key(): DkimKeyPair {
  const forge = forgeLib();
  const pair = forge.pki.ed25519.generateKeyPair();
  const seed = pair.privateKey.subarray(0, 32);
  const { asn1 } = forge;
  const pkcs8 = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, String.fromCharCode(0)),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(ED25519_OID).getBytes()),
    ]),
    asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.OCTETSTRING,
      false,
      asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, seed.toString("binary"))).getBytes(),
    ),
  ]);
  const privateKeyPem = keyFileText(forge.pem.encode({ type: "PRIVATE KEY", body: asn1.toDer(pkcs8).getBytes() }));
  return { privateKeyPem, publicKey: forge.util.encode64(pair.publicKey.toString("binary")) };
}

/** A PEM as it is written to the key file: LF line ends (forge writes CRLF), one final newline. */
export function keyFileText(pem: string): string {
  return `${pem.replaceAll("\r\n", "\n").trim()}\n`;
}

/** The DKIM key record value (RFC 6376 3.6.1), e.g. `v=DKIM1; k=rsa; p=MIIB...`. */
export function dkimRecordValue(kind: "rsa" | "ed25519", publicKey: string): string {
  return `v=DKIM1; k=${kind}; p=${publicKey}`;
}
