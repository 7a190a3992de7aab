/**
 * Gmail. Selectors from the shared webmail facts (a peer extension's provider
 * code, not checked against the live site) plus, where marked, Gmail's usual
 * class names for the send button, toolbar and reply links, which the facts do
 * not list. Gmail changes class names without notice: the fixtures are built from
 * these facts, not captured.
 */
import type { ProviderSpec } from './types';

export const gmail: ProviderSpec = {
  id: 'gmail',
  hosts: ['mail.google.com'],
  frames: [],
  compose: {
    root: '.I5',
    // One chip per recipient, its address in data-hovercard-id. The facts do not
    // tell To, Cc and Bcc chips apart, so every chip counts as To (the compose
    // frame shows them; the envelope encrypts to all of them alike).
    to: { selector: '.agb .afV[data-hovercard-id]', read: { attribute: 'data-hovercard-id' } },
    subject: 'input.aoT',
    body: [{ kind: 'contenteditable', selector: '.Am.Al[contenteditable="true"]' }],
    // Not in the facts: the bottom toolbar cell and the Send button.
    toolbar: '.btC .dC',
    toolbarPlacement: 'after',
    fileInput: 'input[type="file"][name="Filedata"]',
    send: '.btC .T-I.aoO',
  },
  reader: {
    message: '[data-message-id]',
    body: '.ii.gt .a3s.aXjCH, .ii.gt .a3s.aiL',
    from: { selector: '.gs .cf.ix span[email]', attribute: 'email' },
    // Gmail puts the display name in name= next to email= (shared webmail facts).
    sender: {
      selector: '.gs .cf.ix span[email]',
      address: { attribute: 'email' },
      name: { attribute: 'name' },
    },
    // Not in the facts: the attachment tile's download link (its name is in .aV3).
    attachments: { selector: 'a.aQy[href]' },
    reply: '.ams.bkH',
    replyAll: '.ams.bkI',
    forward: '.ams.bkG',
    expected: { url: /#[a-z]+\/[A-Za-z0-9]{16,}$/ },
  },
};
