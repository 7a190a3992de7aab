/**
 * Outlook.com and Outlook on the web. The shared webmail facts give the app root,
 * the recipient personas and the sender; the compose shell, subject, body, send
 * button and reading pane below are Outlook's usual ARIA roles and attributes, not
 * checked against the live site. The fixtures are built from these facts, not captured.
 *
 * Recipient personas show a display name; the address appears only on a hover
 * card (timing-based, fragile), so only personas whose text is an address are
 * read. The compose frame lets the user complete the list.
 */
import type { ProviderSpec } from './types';

export const outlook: ProviderSpec = {
  id: 'outlook',
  hosts: ['outlook.live.com', 'outlook.office.com', 'outlook.office365.com'],
  frames: [],
  compose: {
    root: '[role="main"] [data-app-section="Form_Content"]',
    to: { selector: '.compose-to [data-selection-index] .lpc-hoverTarget', read: 'text' },
    cc: { selector: '.compose-cc [data-selection-index] .lpc-hoverTarget', read: 'text' },
    bcc: { selector: '.compose-bcc [data-selection-index] .lpc-hoverTarget', read: 'text' },
    subject: 'input.compose-subject, input[maxlength="255"]',
    body: [{ kind: 'contenteditable', selector: 'div[role="textbox"][contenteditable="true"]' }],
    toolbar: 'button[aria-label="Send"], button.compose-send',
    toolbarPlacement: 'after',
    fileInput: 'input[type="file"]',
    send: 'button[aria-label="Send"], button.compose-send',
  },
  reader: {
    message: '.item-reading-pane',
    // role=document: the compose editor has the same aria-label (role=textbox).
    body: 'div[role="document"][aria-label="Message body"]',
    from: { selector: '.item-header-actions .lpc-hoverTarget span' },
    // One span with "Name <addr>" (shared webmail facts: the persona's hover target).
    sender: { selector: '.item-header-actions .lpc-hoverTarget span', address: 'text', name: 'text' },
    attachments: { selector: '.attachment-well a[href]' },
    reply: 'button[aria-label="Reply"]',
    replyAll: 'button[aria-label="Reply all"]',
    forward: 'button[aria-label="Forward"]',
  },
};
