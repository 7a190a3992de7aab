/**
 * A webmail provider, declared as data (docs/webmail-integration.md §Providers).
 *
 * The content script's runtime (src/content) reads these specs and never hard-codes
 * a webmail's DOM. Every selector is checked against saved fixture pages with an
 * expected match count (test/providers), in the manner of refined-github's
 * selectors.ts: when a webmail changes its markup, a fixture is re-captured and
 * the table says which selector broke.
 *
 * Selectors are plain CSS, matched in the document and in the same-origin frames
 * the spec lists (`frames`): Roundcube shows a message in `iframe#messagecontframe`
 * and its HTML editor in `iframe#composebody_ifr`. Never use a selector that only
 * matches with page-controlled text (message content) in it.
 */
import type { ProviderId } from '../messaging/messages';

/** Where to read one recipient list (To, Cc or Bcc) of a compose window. */
export interface RecipientField {
  selector: string;
  /**
   * `value`: a form field holding "Name <addr>, addr2, ..." (Roundcube's hidden
   * textareas); `attribute`: each match is one recipient whose address is in that
   * attribute (Gmail's chips); `text`: each match's text is one or more addresses.
   */
  read: 'value' | 'text' | { attribute: string };
}

/** A body editor: the first candidate present in a compose root is used. */
export interface BodyCandidate {
  kind: 'textarea' | 'contenteditable' | 'frame-body';
  /** For `frame-body`: the same-origin iframe (in the compose root) whose document holds the editor. */
  frame?: string;
  /** The editor element: in the compose root, or for `frame-body` in the frame's document. */
  selector: string;
}

/** Where a compose (or reader) should be, so that finding nothing is reported as `missing`. */
export interface Expectation {
  /** Tested against `location.href` of the top document. */
  url?: RegExp;
  /** Present when the webmail shows one (e.g. a "loading" compose shell). */
  selector?: string;
}

export interface ComposeSpec {
  /** One compose window (Gmail and Outlook may show several, inline or popped out). */
  root: string;
  to: RecipientField;
  cc?: RecipientField;
  bcc?: RecipientField;
  /** The subject input, in the compose root. */
  subject: string;
  body: readonly BodyCandidate[];
  /** The Encrypt button is drawn just after (or inside, for `inside`) this element. */
  toolbar: string;
  toolbarPlacement: 'after' | 'before' | 'inside';
  /**
   * The file input that attaches a file. Searched in the compose root, then in the
   * document (Roundcube's upload form sits outside the compose form). Absent: big
   * messages are refused with `too-large-inline`.
   */
  fileInput?: string;
  /**
   * An uploaded attachment, in the document: after putting a file into the input,
   * Send waits until one more of these shows (up to a minute).
   */
  attachmentDone?: string;
  /** The webmail's own Send button. */
  send: string;
  expected?: Expectation;
}

/**
 * The displayed From, for the spoofed-sender checks (issue 6,
 * docs/sender-warnings.md): one element holding the sender's display name and
 * address, each read from an attribute or from the text. When both come from the
 * text it is read as `Name <addr>`.
 */
export interface SenderSpec {
  /** The From element: the first match in the message (or its document). */
  selector: string;
  address: { attribute: string } | 'text';
  name: { attribute: string } | 'text';
}

export interface ReaderSpec {
  /** One opened message (in the document or a listed frame). */
  message: string;
  /** Its body, in the message. */
  body: string;
  /** The displayed From: the first match in the message (or its document), read from `attribute` or text. */
  from: { selector: string; attribute?: string };
  /** The displayed sender's name and address (sender-facts.ts). */
  sender?: SenderSpec;
  /** Attachment links: `href` downloads the file; its name is read from `nameAttribute` or the text. */
  attachments: { selector: string; nameAttribute?: string };
  /** The webmail's reply, reply-all and forward buttons (searched in the top document first). */
  reply: string;
  replyAll: string;
  forward: string;
  expected?: Expectation;
}

export interface ProviderSpec {
  id: ProviderId;
  /** Hostnames (exact, or `*.` + suffix) where this provider is known without detection. */
  hosts: readonly string[];
  /** For webmails that run on any origin (Roundcube): the document is this provider when it matches. */
  detect?: string;
  /** Same-origin iframes to look into, as selectors in the top document. */
  frames: readonly string[];
  compose?: ComposeSpec;
  reader?: ReaderSpec;
}
