/**
 * Roundcube 1.6, elastic skin. Checked against pages captured from the real
 * Roundcube 1.6.5 on loopback (test/fixtures/providers/roundcube, docs/testing.md).
 * Roundcube runs on any origin, so it is found by `detect`, not by host.
 */
import type { ProviderSpec } from './types';

export const roundcube: ProviderSpec = {
  id: 'roundcube',
  hosts: [],
  // The mail task's layout, or the login form (the content script then waits for the mail task).
  detect: 'body[class*="task-"] #layout, #rcmloginuser',
  // The message preview and the HTML editor (TinyMCE) are same-origin frames.
  frames: ['iframe#messagecontframe'],
  compose: {
    root: '#compose-content',
    // The visible token inputs write into these hidden textareas ("Name <addr>, ...").
    to: { selector: 'textarea#_to', read: 'value' },
    cc: { selector: 'textarea#_cc', read: 'value' },
    bcc: { selector: 'textarea#_bcc', read: 'value' },
    subject: 'input#compose-subject',
    body: [
      { kind: 'frame-body', frame: 'iframe#composebody_ifr', selector: 'body#tinymce' },
      { kind: 'textarea', selector: 'textarea#composebody' },
    ],
    toolbar: '.formbuttons button.btn.send',
    toolbarPlacement: 'after',
    // The upload form is outside the compose root. Its input's inline handler,
    // onchange="rcmail.command('send-attachment', this.form); this.value=null",
    // uploads on `change` (and empties the input at once).
    fileInput: '#uploadform input[type="file"]',
    // Checked on the real page: while uploading li#upload<ts>.uploading, then li#rcmfile<id>.
    attachmentDone: '#attachment-list li[id^="rcmfile"]',
    send: '.formbuttons button.btn.send',
    expected: { url: /[?&]_action=compose\b/ },
  },
  reader: {
    message: '#message-content',
    body: '#messagebody',
    from: { selector: '#message-header td.header.from a.rcmContactAddress', attribute: 'title' },
    // The name is the link text (the address itself when the From has no name). Roundcube's
    // raw headers (viewsource) are read too: src/content/sender-facts.ts.
    sender: {
      selector: '#message-header td.header.from a.rcmContactAddress',
      address: { attribute: 'title' },
      name: 'text',
    },
    attachments: { selector: '#attachment-list li a.filename' },
    reply: '#toolbar-menu a.reply',
    replyAll: '#toolbar-menu a.reply-all',
    forward: '#toolbar-menu a.forward',
    expected: { url: /[?&]_action=(show|preview)\b|[?&]_uid=/ },
  },
};
