/**
 * Encrypted local drafts (issue 5, docs/webmail-integration.md §Composing step 3).
 *
 * A draft is a Cipherpost message to nobody but its author: encryptMessage with
 * no recipients still seals the self stanza (src/crypto/self-stanza.ts), which
 * only the author's own identity opens, and the signature proves on reading
 * that the author wrote it. `storage.local` holds only that ciphertext under a
 * random key (`draft:<id>`), plus an index with when, which provider and a hash
 * of the site: never a subject, a recipient or an origin in clear.
 *
 * Bounded: at most 20 drafts (oldest dropped) and 8 MiB of attachments per
 * draft (Chrome's `storage.local` holds 10 MB without `unlimitedStorage`).
 */
import { decryptMessage, encryptMessage, type Identity } from '../crypto';
import { base64Decode, base64Encode } from '../crypto/armor';
import { concatBytes, toHex, utf8 } from '../crypto/bytes';
import { label, sha256 } from '../crypto/hash';
import { systemRandom } from '../crypto/random';
import type { ComposeDraft, ProviderId } from '../messaging/messages';
import { HandlerError } from '../messaging/result';
import type { BackgroundContext } from './context';

export const DRAFT_INDEX_KEY = 'draft-index';
export const MAX_DRAFTS = 20;
export const MAX_DRAFT_ATTACHMENT_BYTES = 8 * 1024 * 1024;
const draftKey = (id: string) => `draft:${id}`;

export interface DraftMeta {
  id: string;
  savedAt: number;
  /** SHA-256 of the webmail origin, to resume on the same site without naming it. */
  site: string;
  provider: ProviderId;
}

export function siteHash(origin: string): string {
  return toHex(sha256(concatBytes(label('draft site'), utf8(origin))));
}

export const newDraftId = (): string => toHex(systemRandom(16));

/** base64 as the frame sends it (padding optional); a malformed one is the frame's mistake. */
export function decodeBase64(data: string): Uint8Array {
  try {
    return base64Decode(data.replace(/=+$/, ''));
  } catch {
    throw new HandlerError('invalid-input', 'an attachment is not valid base64');
  }
}

/**
 * Draft writes one after another: each reads the index, changes it and writes it
 * back, and two autosaves interleaving would lose an entry (and orphan its draft).
 */
const queues = new WeakMap<object, Promise<unknown>>();
function serialized<T>(ctx: BackgroundContext, body: () => Promise<T>): Promise<T> {
  const run = (queues.get(ctx.local) ?? Promise.resolve()).then(body, body);
  queues.set(
    ctx.local,
    run.catch(() => {}),
  );
  return run;
}

async function readIndex(ctx: BackgroundContext): Promise<DraftMeta[]> {
  const raw = (await ctx.local.get(DRAFT_INDEX_KEY))[DRAFT_INDEX_KEY];
  return Array.isArray(raw) ? (raw as DraftMeta[]) : [];
}

/** Seals `draft` to `author` alone and stores it under `id` (replacing an earlier save). */
export async function saveDraft(
  ctx: BackgroundContext,
  author: Identity,
  where: { id: string; origin: string; provider: ProviderId },
  draft: ComposeDraft,
  now = Date.now(),
): Promise<number> {
  let total = 0;
  const attachments = [];
  for (const a of draft.attachments) {
    const data = decodeBase64(a.data);
    // Whatever fits: a draft that keeps the text and the small files beats none.
    if (total + data.length > MAX_DRAFT_ATTACHMENT_BYTES) continue;
    total += data.length;
    attachments.push({ name: a.name, mediaType: a.mediaType, data });
  }
  const { attachments: _, ...fields } = draft;
  const envelope = await encryptMessage(
    { subject: '', body: { type: 'text/plain', text: JSON.stringify(fields) }, attachments },
    { sender: author, senderAddress: author.bundle.addresses[0]!, recipients: [], date: now },
  );
  return serialized(ctx, async () => {
    const index = (await readIndex(ctx)).filter((m) => m.id !== where.id);
    index.push({ id: where.id, savedAt: now, site: siteHash(where.origin), provider: where.provider });
    index.sort((a, b) => a.savedAt - b.savedAt);
    const dropped = index.splice(0, Math.max(0, index.length - MAX_DRAFTS));
    try {
      await ctx.local.set({ [draftKey(where.id)]: base64Encode(envelope), [DRAFT_INDEX_KEY]: index });
    } catch {
      throw new HandlerError('quota-exceeded', 'the draft does not fit in the browser’s storage');
    }
    for (const m of dropped) await ctx.local.remove(draftKey(m.id));
    return now;
  });
}

function isDraftFields(v: unknown): v is Omit<ComposeDraft, 'attachments'> {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const list = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');
  return (
    list(r.to) &&
    list(r.cc) &&
    list(r.bcc) &&
    typeof r.subject === 'string' &&
    (r.bodyType === 'text/plain' || r.bodyType === 'text/html') &&
    typeof r.body === 'string'
  );
}

/** Opens a stored draft; undefined if it is gone or no identity of this vault wrote it. */
export async function openDraft(
  ctx: BackgroundContext,
  identities: readonly Identity[],
  id: string,
): Promise<ComposeDraft | undefined> {
  const stored = (await ctx.local.get(draftKey(id)))[draftKey(id)];
  if (typeof stored !== 'string') return undefined;
  try {
    const m = await decryptMessage(base64Decode(stored.replace(/=+$/, '')), { identities });
    // Only the self stanza: a draft is never something someone else sent us.
    if (m.openedWith !== 'self') return undefined;
    const fields: unknown = JSON.parse(m.body.text);
    if (!isDraftFields(fields)) return undefined;
    return {
      to: fields.to,
      cc: fields.cc,
      bcc: fields.bcc,
      subject: fields.subject,
      bodyType: fields.bodyType,
      body: fields.body,
      attachments: m.attachments.map((a) => ({
        name: a.name,
        mediaType: a.mediaType,
        data: base64Encode(a.data),
      })),
    };
  } catch {
    // A draft from an identity this vault no longer holds (a restored backup) is skipped.
    return undefined;
  }
}

/** The newest draft written on the same site with the same provider. */
export async function newestDraft(
  ctx: BackgroundContext,
  identities: readonly Identity[],
  origin: string,
  provider: ProviderId,
): Promise<{ id: string; savedAt: number; draft: ComposeDraft } | undefined> {
  const site = siteHash(origin);
  const candidates = (await readIndex(ctx))
    .filter((m) => m.site === site && m.provider === provider)
    .sort((a, b) => b.savedAt - a.savedAt);
  for (const m of candidates) {
    const draft = await openDraft(ctx, identities, m.id);
    if (draft) return { id: m.id, savedAt: m.savedAt, draft };
  }
  return undefined;
}

export function deleteDraft(ctx: BackgroundContext, id: string): Promise<void> {
  return serialized(ctx, async () => {
    const index = await readIndex(ctx);
    await ctx.local.set({ [DRAFT_INDEX_KEY]: index.filter((m) => m.id !== id) });
    await ctx.local.remove(draftKey(id));
  });
}
