/** Compose error words and plain-to-rich conversion. */
import { describe, expect, it } from 'vitest';
import { composeErrorKey, textToHtml } from '../../src/compose/state';

describe('composeErrorKey', () => {
  it('words the compose errors', () => {
    expect(composeErrorKey('recipient-without-key')).toBe('compose_error_recipient_without_key');
    expect(composeErrorKey('too-large-inline')).toBe('compose_error_too_large_inline');
    expect(composeErrorKey('not-delivered')).toBe('compose_error_not_delivered');
    expect(composeErrorKey('ticket-expired')).toBe('compose_error_ticket_expired');
    expect(composeErrorKey('internal')).toBeNull();
  });
});

describe('textToHtml', () => {
  it('escapes markup and keeps lines', () => {
    expect(textToHtml('a <b>&"\'\n\nc')).toBe(
      '<div>a &lt;b&gt;&amp;&quot;&#39;</div><div><br></div><div>c</div>',
    );
  });
});
