import { describe, expect, it } from 'vitest';
import { megabytes } from '../src/web/limits';
import { BOM, csvForDownload } from '../src/web/views/files';

/** What the page's files look like to their users: sizes as a file manager shows them, CSVs Excel reads. */
describe('file sizes and CSVs', () => {
  it('sizes are decimal megabytes, as file managers show them (27,834,567 bytes is 27.8 MB, not 26.5)', () => {
    expect(megabytes(27_834_567)).toBe('27.8 MB');
    expect(megabytes(64_000_000)).toBe('64.0 MB');
  });

  it('a CSV download starts with the UTF-8 byte-order mark (EF BB BF) unless it is left out', () => {
    const bytes = new TextEncoder().encode(csvForDownload('epoch,∂E/∂w1\n', true));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(BOM.length).toBe(1);
    expect(csvForDownload('epoch,η\n', false)).toBe('epoch,η\n');
  });
});
