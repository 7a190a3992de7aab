/**
 * Sender warnings in plain words (issue 6): one sentence per reason code, and the
 * facts behind it (the detail values, which come from the mail and are shown as
 * text only, never as markup).
 */
import type { SenderReason, SenderReasonCode } from '../../messaging/messages';
import { t } from '../i18n';

export const REASON_KEYS: Readonly<Record<SenderReasonCode, string>> = {
  'display-name-address': 'banner_reason_display_name_address',
  'confusable-domain': 'banner_reason_confusable_domain',
  'idn-homograph': 'banner_reason_idn_homograph',
  'lookalike-contact': 'banner_reason_lookalike_contact',
  'lookalike-popular': 'banner_reason_lookalike_popular',
  'reply-to-domain': 'banner_reason_reply_to_domain',
  'sender-differs': 'banner_reason_sender_differs',
  'return-path-differs': 'banner_reason_return_path_differs',
  'spf-fail': 'banner_reason_spf_fail',
  'dkim-fail': 'banner_reason_dkim_fail',
  'dmarc-fail': 'banner_reason_dmarc_fail',
  'signer-differs': 'banner_reason_signer_differs',
};

export function reasonSummary(reason: SenderReason): string {
  const key = REASON_KEYS[reason.code];
  return key ? t(key) : reason.code;
}

/** The facts of a reason as "name: value" pairs, in a stable order. */
export function reasonFacts(reason: SenderReason): [string, string][] {
  return Object.entries(reason.detail)
    .filter(([, v]) => typeof v === 'string' && v !== '')
    .sort(([a], [b]) => a.localeCompare(b));
}
