// The host's long-lived identity: an ECDSA P-256 key pair and a self-signed certificate, made on
// first use and kept in a folder only the owner can read. Clients pin the certificate's SHA-256
// fingerprint, so the same files must come back after every restart.
import { createHash, webcrypto } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const KEY_FILE = 'host-key.pem';
const CERT_FILE = 'host-cert.pem';
/** Long enough never to expire in use; clients pin the fingerprint, not the validity period. */
const VALIDITY_YEARS = 100;
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** The library's Crypto type (the DOM's): the value of set()'s last overload, set(key, value). */
type X509Crypto = Parameters<typeof x509.cryptoProvider.set>[1];

export interface HostIdentity {
  /** PKCS#8 private key, PEM. */
  keyPem: string;
  /** Self-signed X.509 certificate, PEM. */
  certPem: string;
  /** SHA-256 of the DER certificate, 64 lowercase hex digits (PROTOCOL.md, "Encrypted transport"). */
  fingerprint: string;
}

// Node's WebCrypto is the provider; its types are Node's, the library's are the DOM's.
// eslint-disable-next-line no-restricted-syntax -- the same object under Node's and the DOM's typings; no shared type exists
x509.cryptoProvider.set(webcrypto as unknown as X509Crypto);

/** The fingerprint of a DER certificate in the canonical form. */
export function certificateFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** A fresh identity, held in memory only (tests, or a server started without a folder). */
export async function generateHostIdentity(): Promise<HostIdentity> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: 'CN=Tincan host',
    notBefore,
    notAfter,
    // eslint-disable-next-line no-restricted-syntax -- Node's CryptoKeyPair is the DOM one the library types (see above)
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    signingAlgorithm: ALGORITHM,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    keyPem: toPem('PRIVATE KEY', pkcs8),
    certPem: cert.toString('pem'),
    fingerprint: certificateFingerprint(new Uint8Array(cert.rawData)),
  };
}

/**
 * The identity kept in `dir`: read when both files are there, made and written otherwise. The
 * folder is created mode 0700 and the key file written mode 0600. A broken certificate is an
 * error, never silently replaced: clients pinned its fingerprint.
 */
export async function loadOrCreateHostIdentity(dir: string): Promise<HostIdentity> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, KEY_FILE);
  const certPath = join(dir, CERT_FILE);
  const existing = readPair(keyPath, certPath);
  if (existing) return existing;
  const identity = await generateHostIdentity();
  writeAtomically(keyPath, identity.keyPem, 0o600);
  writeAtomically(certPath, identity.certPem, 0o644);
  return identity;
}

function readPair(keyPath: string, certPath: string): HostIdentity | null {
  let keyPem: string;
  let certPem: string;
  try {
    keyPem = readFileSync(keyPath, 'utf8');
    certPem = readFileSync(certPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  // Tighten a key file someone loosened; the owner keeps reading it.
  chmodSync(keyPath, 0o600);
  const cert = new x509.X509Certificate(certPem);
  return { keyPem, certPem, fingerprint: certificateFingerprint(new Uint8Array(cert.rawData)) };
}

function writeAtomically(path: string, text: string, mode: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode });
  chmodSync(temp, mode);
  renameSync(temp, path);
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
