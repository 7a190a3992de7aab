/**
 * The directory's rules, between the routes and the repository
 * (docs/directory.md): what a valid upload is, the verification mail and its
 * possession proof, confirmation, lookups and revocation.
 */
import {
  armor,
  encryptMessage,
  formatFingerprint,
  type Identity,
  isBundleExpired,
  isCryptoError,
  normalizeAddress,
  type PublicKeyBundle,
  parseKeyBundle,
} from '../../src/crypto';
import { base64Decode, base64Encode } from '../../src/crypto/armor';
import { fromHex, toHex } from '../../src/crypto/bytes';
import { ed25519Verify } from '../../src/crypto/ed25519';
import type {
  Binding,
  ConsumeResult,
  DirectoryRepository,
  TokenKind,
} from '../repositories/directory-repository';
import { HttpError } from './http-error';
import type { Mail, Mailer } from './mailer';
import { NONCE_BYTES, REVOKE_MAX_SKEW_MS, revocationMessage } from './revocation-request';
import { hashToken, newToken, TOKEN_LIFETIME_MS } from './tokens';

export interface DirectoryServiceOptions {
  repo: DirectoryRepository;
  mailer: Mailer;
  identity: Identity;
  mailFrom: string;
  publicUrl: string;
  perAddressMailWindow: number;
  now: () => number;
  /** Told why a mail failed (the route answers only 502). */
  onMailError?: (err: Error) => void;
}

/** A bundle may claim a creation time at most this far ahead of our clock. */
const MAX_CREATED_SKEW_S = 24 * 3600;

export type PublishOutcome = { status: 'pending' | 'already-verified'; fingerprint: string };

/** Canonical base64 only: one upload, one encoding (strict alphabet, padding, zero trailing bits). */
export function decodeCanonicalBase64(text: string): Uint8Array | null {
  try {
    const bytes = base64Decode(text.replace(/={1,2}$/, ''));
    return base64Encode(bytes) === text ? bytes : null;
  } catch {
    return null;
  }
}

/** The fingerprint as hex from either 64 hex digits or the 16 groups of 4 shown to users. */
export function parseFingerprint(text: string): string | null {
  const compact = text.replace(/ /g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(compact) ? compact : null;
}

export class DirectoryService {
  constructor(private readonly o: DirectoryServiceOptions) {}

  private get repo() {
    return this.o.repo;
  }

  /** Validates an upload, stores it unverified, and mails the address an encrypted confirmation link. */
  async publish(input: { address: string; bundle: string }): Promise<PublishOutcome> {
    const bytes = decodeCanonicalBase64(input.bundle);
    if (!bytes) throw new HttpError(400, 'bundle: not canonical base64');
    let bundle: PublicKeyBundle;
    try {
      bundle = await parseKeyBundle(bytes);
    } catch (e) {
      if (isCryptoError(e)) throw new HttpError(422, `bundle: ${e.message}`);
      throw e;
    }
    let address: string;
    try {
      address = normalizeAddress(input.address);
    } catch {
      throw new HttpError(400, 'address: not a valid email address');
    }
    if (!bundle.addresses.includes(address)) throw new HttpError(422, 'bundle: does not bind this address');
    const nowMs = this.o.now();
    const nowS = Math.floor(nowMs / 1000);
    if (isBundleExpired(bundle, nowS)) throw new HttpError(422, 'bundle: expired');
    if (bundle.created > nowS + MAX_CREATED_SKEW_S) throw new HttpError(422, 'bundle: created in the future');
    const fingerprint = toHex(bundle.fingerprint);
    if (await this.repo.isRevoked(fingerprint)) throw new HttpError(422, 'bundle: this key was revoked');

    const current = await this.repo.lookupByAddress(address);
    if (current?.fingerprint === fingerprint) return { status: 'already-verified', fingerprint };

    await this.repo.saveUpload(fingerprint, input.bundle, nowMs);
    if (!(await this.repo.reserveAddressMail(address, nowMs, this.o.perAddressMailWindow))) {
      throw new HttpError(429, 'a confirmation mail was sent to this address recently; try again later');
    }
    const token = await this.issueToken('publish', address, fingerprint, nowMs);
    await this.sendOrRelease(address, nowMs, async () => this.verificationMail(address, bundle, token));
    return { status: 'pending', fingerprint };
  }

  private async issueToken(
    kind: TokenKind,
    address: string,
    fingerprint: string,
    now: number,
  ): Promise<string> {
    const token = newToken();
    await this.repo.createToken({
      tokenHash: hashToken(token),
      kind,
      address,
      fingerprint,
      createdAt: now,
      expiresAt: now + TOKEN_LIFETIME_MS,
    });
    return token;
  }

  /**
   * The verification mail: a Cipherpost message encrypted to the uploaded
   * key and signed by the directory. Only the holder of the mailbox AND of
   * the key's private half can read the link (docs/directory.md §Possession proof).
   */
  async verificationMail(address: string, bundle: PublicKeyBundle, token: string) {
    const link = `${this.o.publicUrl}/verify?token=${token}`;
    const plaintext = [
      `Confirm that ${address} uses this key in the Cipherpost key directory:`,
      '',
      `  ${formatFingerprint(bundle.fingerprint)}`,
      '',
      'Open this link and press the button on the page (nothing happens until you press it):',
      '',
      `  ${link}`,
      '',
      'The link works once and expires in one hour. If you did not ask for this, ignore this mail:',
      'nothing is published without confirmation.',
      '',
      `Cipherpost-Directory-Token: ${token}`,
    ].join('\n');
    const envelope = await encryptMessage(
      {
        subject: 'Confirm your key in the Cipherpost directory',
        body: { type: 'text/plain', text: plaintext },
      },
      {
        sender: this.o.identity,
        senderAddress: this.o.mailFrom,
        recipients: [{ address, bundle }],
        date: this.o.now(),
      },
    );
    return {
      to: address,
      from: this.o.mailFrom,
      subject: 'Cipherpost directory: confirm your key',
      text: `${[
        'Someone, probably you, asked the Cipherpost key directory to publish a key for this address.',
        'The confirmation link is encrypted to that key: open this mail with the Cipherpost extension.',
        '',
      ].join('\n')}\n${armor(envelope)}\n`,
      devNote: `confirm at ${link}`,
    };
  }

  /** Uses a token (single use, one hour) and applies what it confirms. */
  async confirm(token: string, kind?: TokenKind): Promise<Extract<ConsumeResult, { ok: true }>> {
    const r = await this.repo.consumeToken(hashToken(token), this.o.now(), kind);
    if (!r.ok) throw new HttpError(410, 'this link is invalid, expired or already used');
    return r;
  }

  async lookupByAddress(raw: string): Promise<Binding | undefined> {
    let address: string;
    try {
      address = normalizeAddress(raw);
    } catch {
      return undefined;
    }
    return this.repo.lookupByAddress(address);
  }

  async lookupByFingerprint(raw: string): Promise<Binding | undefined> {
    const fp = parseFingerprint(raw);
    return fp ? this.repo.lookupByFingerprint(fp) : undefined;
  }

  /**
   * A revocation signed by the key itself (docs/directory.md §Revocation).
   * Unknown keys are a 404 like any miss; a bad signature, a stale timestamp
   * or a replayed nonce are refused.
   */
  async revokeSigned(req: { fingerprint: string; timestamp: number; nonce: string; signature: string }) {
    const fp = parseFingerprint(req.fingerprint);
    const nonce = Buffer.from(req.nonce, 'base64url');
    const signature = decodeCanonicalBase64(req.signature);
    if (
      !fp ||
      nonce.length !== NONCE_BYTES ||
      nonce.toString('base64url') !== req.nonce ||
      signature?.length !== 64
    ) {
      throw new HttpError(400, 'malformed revocation request');
    }
    const now = this.o.now();
    if (Math.abs(now - req.timestamp) > REVOKE_MAX_SKEW_MS)
      throw new HttpError(400, 'timestamp: too far from now');
    const stored =
      (await this.repo.lookupByFingerprint(fp))?.bundle ?? (await this.repo.getUpload(fp))?.bundle;
    if (!stored) return null;
    const bundle = await parseKeyBundle(decodeCanonicalBase64(stored)!);
    const message = revocationMessage(new URL(this.o.publicUrl).origin, fromHex(fp), req.timestamp, nonce);
    if (!(await ed25519Verify(bundle.ed25519PublicKey, message, signature))) {
      throw new HttpError(403, 'signature does not verify');
    }
    const revoked = await this.repo.revokeKey(fp, req.nonce, now + 2 * REVOKE_MAX_SKEW_MS, now);
    if (revoked === null) throw new HttpError(409, 'this request was already used');
    return { revoked: revoked.length };
  }

  /**
   * Revocation by mailbox only, for a lost key: a plain (unencrypted) link,
   * since the owner may no longer be able to decrypt. Answers the same whether
   * or not the address is bound.
   */
  async requestEmailRevocation(raw: string): Promise<void> {
    let address: string;
    try {
      address = normalizeAddress(raw);
    } catch {
      throw new HttpError(400, 'address: not a valid email address');
    }
    const binding = await this.repo.lookupByAddress(address);
    if (!binding) return;
    const now = this.o.now();
    if (!(await this.repo.reserveAddressMail(address, now, this.o.perAddressMailWindow))) {
      throw new HttpError(429, 'a confirmation mail was sent to this address recently; try again later');
    }
    const token = await this.issueToken('revoke', address, binding.fingerprint, now);
    const link = `${this.o.publicUrl}/revoke?token=${token}`;
    await this.sendOrRelease(address, now, async () => ({
      to: address,
      from: this.o.mailFrom,
      subject: 'Cipherpost directory: remove your key',
      text: [
        `Someone, probably you, asked the Cipherpost key directory to stop serving the key of ${address}:`,
        '',
        `  ${formatFingerprint(fromHex(binding.fingerprint))}`,
        '',
        'To remove it, open this link and press the button on the page:',
        '',
        `  ${link}`,
        '',
        'The link works once and expires in one hour. If you did not ask for this, ignore this mail.',
        '',
        `Cipherpost-Directory-Token: ${token}`,
        '',
      ].join('\n'),
      devNote: `revoke at ${link}`,
    }));
  }

  /** Sends a mail; if it cannot go out, gives the address its hour back and answers 502. */
  private async sendOrRelease(
    address: string,
    reservedAt: number,
    build: () => Promise<Mail>,
  ): Promise<void> {
    try {
      await this.o.mailer.send(await build());
    } catch (e) {
      await this.repo.releaseAddressMail(address, reservedAt);
      this.o.onMailError?.(e as Error);
      throw new HttpError(502, 'mail could not be sent');
    }
  }

  purge() {
    return this.repo.purge(this.o.now(), this.o.perAddressMailWindow);
  }
}
