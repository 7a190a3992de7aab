/**
 * Sender warnings in plain words (issue 6, docs/sender-warnings.md): for each
 * reason, a one-line summary that names the facts ("The name shown says
 * support@apple.com, but the mail comes from x@random.example") and a "why"
 * paragraph for the "Why am I seeing this?" section.
 *
 * Strings come from public/_locales/{en,ja}/messages.json (keys `sender_*`). The
 * translator is passed in (the UI's `t`), so this file has no browser dependency.
 *
 * Detail values come from the mail. They are shown as text, never markup, and
 * cleaned here of bidirectional controls (Unicode UAX #9: an RLO can make
 * "moc.evil" read as "live.com") and other invisible characters.
 */
import type { SenderReason, SenderReasonCode } from '../messaging/messages';

export type Translate = (key: string, substitutions?: string | string[]) => string;

export interface ReasonText {
  summary: string;
  why: string;
}

/** Bidi embeddings, overrides, isolates and marks; zero-width and other format characters (Cf). */
const INVISIBLE = /[\p{Cf}\p{Cc}]/gu;
const MAX_SHOWN = 200;

/** A detail value made safe to show in a sentence. */
export function shown(value: string | undefined): string {
  const clean = (value ?? '').replace(INVISIBLE, '').trim();
  return clean.length > MAX_SHOWN ? `${clean.slice(0, MAX_SHOWN)}…` : clean || '?';
}

/** The message keys each code uses: [summary, why], with its variant keys. */
export const REASON_TEXT_KEYS: Readonly<Record<SenderReasonCode, readonly string[]>> = {
  'display-name-address': ['sender_display_name_address', 'sender_display_name_address_why'],
  'confusable-domain': ['sender_confusable_domain', 'sender_confusable_domain_why'],
  'idn-homograph': ['sender_idn_homograph', 'sender_idn_homograph_like', 'sender_idn_homograph_why'],
  'lookalike-contact': ['sender_lookalike_contact', 'sender_lookalike_own', 'sender_lookalike_contact_why'],
  'lookalike-popular': ['sender_lookalike_popular', 'sender_lookalike_popular_why'],
  'reply-to-domain': ['sender_reply_to_domain', 'sender_reply_to_domain_why'],
  'sender-differs': ['sender_sender_differs', 'sender_sender_differs_why'],
  'return-path-differs': ['sender_return_path_differs', 'sender_return_path_differs_why'],
  'spf-fail': ['sender_spf_fail', 'sender_spf_fail_why'],
  'dkim-fail': ['sender_dkim_fail', 'sender_dkim_fail_why'],
  'dmarc-fail': ['sender_dmarc_fail', 'sender_dmarc_fail_why'],
  'signer-differs': ['sender_signer_differs', 'sender_signer_differs_why'],
};

/** [summary key, why key, substitutions] for one reason. */
function keysOf(reason: SenderReason): [string, string, string[]] {
  const d = reason.detail;
  switch (reason.code) {
    case 'display-name-address':
      return [
        'sender_display_name_address',
        'sender_display_name_address_why',
        [shown(d.shown), shown(d.actual)],
      ];
    case 'confusable-domain':
      return ['sender_confusable_domain', 'sender_confusable_domain_why', [shown(d.domain), shown(d.like)]];
    case 'idn-homograph':
      return d.like
        ? [
            'sender_idn_homograph_like',
            'sender_idn_homograph_why',
            [shown(d.domain), shown(d.like), shown(d.ascii)],
          ]
        : [
            'sender_idn_homograph',
            'sender_idn_homograph_why',
            [shown(d.domain), shown(d.scripts), shown(d.ascii)],
          ];
    case 'lookalike-contact':
      return [
        d.whose === 'own' ? 'sender_lookalike_own' : 'sender_lookalike_contact',
        'sender_lookalike_contact_why',
        [shown(d.domain), shown(d.like)],
      ];
    case 'lookalike-popular':
      return ['sender_lookalike_popular', 'sender_lookalike_popular_why', [shown(d.domain), shown(d.like)]];
    case 'reply-to-domain':
      return ['sender_reply_to_domain', 'sender_reply_to_domain_why', [shown(d.replyTo), shown(d.from)]];
    case 'sender-differs':
      return ['sender_sender_differs', 'sender_sender_differs_why', [shown(d.sender), shown(d.from)]];
    case 'return-path-differs':
      return [
        'sender_return_path_differs',
        'sender_return_path_differs_why',
        [shown(d.returnPath), shown(d.from)],
      ];
    case 'spf-fail':
      return ['sender_spf_fail', 'sender_spf_fail_why', [shown(d.domain)]];
    case 'dkim-fail':
      return ['sender_dkim_fail', 'sender_dkim_fail_why', [shown(d.domain)]];
    case 'dmarc-fail':
      return ['sender_dmarc_fail', 'sender_dmarc_fail_why', [shown(d.domain)]];
    case 'signer-differs':
      return ['sender_signer_differs', 'sender_signer_differs_why', [shown(d.signer), shown(d.shown)]];
  }
}

/** The words for one reason, in the user's language. */
export function reasonText(reason: SenderReason, translate: Translate): ReasonText {
  const [summaryKey, whyKey, subs] = keysOf(reason);
  return { summary: translate(summaryKey, subs), why: translate(whyKey, subs) };
}
