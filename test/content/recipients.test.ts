import { describe, expect, it } from 'vitest';
import { parseAddresses } from '../../src/content/recipients';

describe('parseAddresses', () => {
  it("Roundcube's hidden textarea: names, quotes with commas, bare addresses", () => {
    expect(
      parseAddresses(
        'Alice Example <alice@example.test>, "Last, First" <First.Last@Example.test>, carol@example.test, ',
      ),
    ).toEqual(['alice@example.test', 'first.last@example.test', 'carol@example.test']);
  });

  it('semicolons and newlines separate too; duplicates go', () => {
    expect(parseAddresses('a@x.test; b@x.test\nA@X.test')).toEqual(['a@x.test', 'b@x.test']);
  });

  it('names without an address, empty entries and junk are dropped', () => {
    expect(parseAddresses('Carol Example, , <not an address>, x@y, @x.test, mailto:d@x.test')).toEqual([
      'd@x.test',
    ]);
    expect(parseAddresses('')).toEqual([]);
  });

  it('a comma inside angle brackets does not split', () => {
    expect(parseAddresses('Bob <bob@x.test>')).toEqual(['bob@x.test']);
    expect(parseAddresses('<a@x.test,b@x.test>')).toEqual([]);
  });
});
