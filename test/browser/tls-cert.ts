/**
 * A self-signed certificate for loopback HTTPS servers that stand in for real hosts
 * (provider fixtures under mail.google.com & co., HTTPS trackers): made with openssl
 * at test time, never stored, its files removed at once.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function selfSignedCert(hosts: readonly string[]): { key: Buffer; cert: Buffer } {
  if (hosts.length === 0) throw new Error('selfSignedCert: no host');
  const dir = mkdtempSync(join(tmpdir(), 'cipherpost-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-keyout',
        key,
        '-out',
        cert,
        '-subj',
        `/CN=${hosts[0]}`,
        '-addext',
        `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
