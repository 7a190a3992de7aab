/** Reply quoting and recipient cleaning (issue 5), pure functions. */
import { describe, expect, it } from 'vitest';
import { cleanAddresses, plainText, ReplySeeds, replyDraft } from '../../src/background/reply-seeds';

const message = {
  subject: 'Re: Budget',
  bodyType: 'text/html' as const,
  body: '<p>First &amp; foremost</p><p>Second line<br>third</p><script>alert(1)</script>',
  date: Date.UTC(2026, 11, 3, 9, 30),
  sender: 'bob@example.test',
  recipients: ['alice@example.test', 'carol@example.test', 'bob@example.test'],
  attachments: [{ name: 'a.txt', mediaType: 'text/plain', data: 'YQ==' }],
};

describe('reply seeds', () => {
  it('quotes HTML as plain text, with the attribution line, and does not stack "Re:"', () => {
    const d = replyDraft('reply', message, ['alice@example.test']);
    expect(d.subject).toBe('Re: Budget');
    expect(d.bodyType).toBe('text/plain');
    expect(d.body).toBe(
      '\n\nOn Thu, 03 Dec 2026 09:30:00 GMT, bob@example.test wrote:\n> First & foremost\n> Second line\n> third\n',
    );
    expect(plainText('text/html', message.body)).not.toContain('alert');
  });

  it('reply-all leaves out the reader and the sender from Cc; a reply to one’s own message goes to the others', () => {
    expect(replyDraft('reply-all', message, ['alice@example.test'])).toMatchObject({
      to: ['bob@example.test'],
      cc: ['carol@example.test'],
      attachments: [],
    });
    const own = { ...message, sender: 'alice@example.test' };
    expect(replyDraft('reply', own, ['alice@example.test']).to).toEqual(['carol@example.test']);
    expect(replyDraft('forward', message, ['alice@example.test'])).toMatchObject({
      to: [],
      subject: 'Fwd: Re: Budget',
      attachments: message.attachments,
    });
  });

  it('cleans recipient lists: normalized, deduplicated, display names dropped', () => {
    expect(
      cleanAddresses(
        ['Bob <BOB@example.test>', ' bob@example.test '],
        ['', 'not an address', 'not an address'],
      ),
    ).toEqual(['bob@example.test', 'not an address']);
  });

  it('a seed is taken once, and only within two minutes', () => {
    const clock = { now: 0 };
    const seeds = new ReplySeeds(() => clock.now);
    const seed = { mode: 'reply' as const, draft: replyDraft('reply', message, []) };
    expect(seeds.has(1)).toBe(false);
    seeds.put(1, seed);
    expect(seeds.has(2)).toBe(false);
    expect(seeds.take(2)).toBeUndefined();
    // has() tells compose:seeded without consuming the seed.
    expect(seeds.has(1)).toBe(true);
    expect(seeds.has(1)).toBe(true);
    expect(seeds.take(1)).toBe(seed);
    expect(seeds.has(1)).toBe(false);
    expect(seeds.take(1)).toBeUndefined();
    seeds.put(1, seed);
    clock.now = 2 * 60 * 1000;
    expect(seeds.has(1)).toBe(false);
    expect(seeds.take(1)).toBeUndefined();
  });
});
