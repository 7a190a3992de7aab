/**
 * Yahoo Mail. The shared webmail facts list its data-test-id hooks
 * (container-to, pill, compose-subject, message-from, email-pill, rte); the
 * compose and message containers, Send, attachment and reply hooks are Yahoo's
 * usual data-test-id names, not checked against the live site. The fixtures are
 * built from these facts, not captured.
 */
import type { ProviderSpec } from './types';

export const yahoo: ProviderSpec = {
  id: 'yahoo',
  hosts: ['mail.yahoo.com'],
  frames: [],
  compose: {
    root: '[data-test-id="compose"]',
    // Each pill's text is one recipient; the address is its title when the text is a name.
    to: { selector: '[data-test-id="container-to"] [data-test-id="pill"]', read: { attribute: 'title' } },
    cc: { selector: '[data-test-id="container-cc"] [data-test-id="pill"]', read: { attribute: 'title' } },
    bcc: { selector: '[data-test-id="container-bcc"] [data-test-id="pill"]', read: { attribute: 'title' } },
    subject: '[data-test-id="compose-subject"]',
    body: [{ kind: 'contenteditable', selector: '[data-test-id="rte"]' }],
    toolbar: '[data-test-id="compose-send-button"]',
    toolbarPlacement: 'after',
    fileInput: '[data-test-id="compose-toolbar"] input[type="file"]',
    send: '[data-test-id="compose-send-button"]',
  },
  reader: {
    message: '[data-test-id="message-view"]',
    body: '[data-test-id="message-view-body-content"]',
    from: { selector: '[data-test-id="message-from"] [data-test-id="email-pill"]', attribute: 'title' },
    // The pill's text is the display name, its title the address.
    sender: {
      selector: '[data-test-id="message-from"] [data-test-id="email-pill"]',
      address: { attribute: 'title' },
      name: 'text',
    },
    attachments: { selector: '[data-test-id="attachment-download"]' },
    reply: '[data-test-id="toolbar-reply"]',
    replyAll: '[data-test-id="toolbar-reply-all"]',
    forward: '[data-test-id="toolbar-forward"]',
  },
};
