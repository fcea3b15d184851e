import { age, cell, duration, jsonLines, sanitize, table, truncate } from '../../src/cli/render/text';

describe('sanitize', () => {
  test.each([
    ['colours', '\u001b[31mred\u001b[0m text', 'red text'],
    ['cursor movement and erase', 'a\u001b[2J\u001b[1;1Hb\u001b[K', 'ab'],
    ['window title (OSC ended by BEL)', '\u001b]0;pwned\u0007title', 'title'],
    ['hyperlink (OSC ended by ST)', '\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\', 'link'],
    ['8-bit CSI', 'x\u009b31my', 'xy'],
    ['C1 controls', 'a\u0085b\u009cc', 'abc'],
    ['C0 controls and DEL', 'a\u0000b\u0007c\u0008d\u007fe', 'abcde'],
    ['two-byte ESC sequences', 'a\u001bcb\u001b(Bc', 'abc'],
    ['lone ESC', 'end\u001b', 'end'],
    ['newlines', 'one\ntwo\r\nthree', 'one\\ntwo\\nthree'],
    ['carriage return', 'over\rwrite', 'over\\rwrite'],
    ['tabs', 'a\tb', 'a b'],
    ['unicode kept', 'café — ✓ 日本', 'café — ✓ 日本'],
  ])('%s', (_name, input, expected) => {
    expect(sanitize(input)).toBe(expected);
  });

  test('null and numbers', () => {
    expect(sanitize(null)).toBe('');
    expect(sanitize(undefined)).toBe('');
    expect(sanitize(42)).toBe('42');
  });
});

describe('truncate and cell', () => {
  test('cuts with an ellipsis at the width', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdefg', 6)).toBe('abcde…');
    expect(truncate('abc', 0)).toBe('');
  });
  test('counts code points, not UTF-16 units', () => {
    expect(truncate('😀😀😀', 2)).toBe('😀…');
  });
  test('a cell is sanitised before it is cut', () => {
    expect(cell('\u001b[31mabcdef\u001b[0m', 4)).toBe('abc…');
    expect(cell('a\nb', 10)).toBe('a\\nb');
  });
});

describe('table', () => {
  test('columns as wide as their widest cell, capped, one line per row', () => {
    const lines = table(
      [
        { header: 'ID', width: 6, value: (r: { id: string; goal: string }) => r.id },
        { header: 'Goal', width: 8, value: (r) => r.goal },
      ],
      [
        { id: 'a', goal: 'short' },
        { id: 'abcdefghij', goal: 'line\nbreak and more' },
      ],
    );
    expect(lines).toEqual(['ID      Goal', 'a       short', 'abcde…  line\\nb…']);
  });
});

describe('ages', () => {
  const now = Date.parse('2026-01-10T12:00:00Z');
  test.each([
    ['2026-01-10T12:00:00Z', 'just now'],
    ['2026-01-10T11:59:18Z', '42s ago'],
    ['2026-01-10T11:55:00Z', '5m ago'],
    ['2026-01-10T09:00:00Z', '3h ago'],
    ['2026-01-10T08:48:00Z', '3h 12m ago'],
    ['2026-01-08T08:00:00Z', '2d 4h ago'],
    ['2026-01-10T12:05:00Z', 'in 5m'],
    [null, 'n/a'],
    ['not a time', 'n/a'],
  ])('%s → %s', (iso, expected) => {
    expect(age(iso, now)).toBe(expected);
  });
  test('duration', () => {
    expect(duration(500)).toBeNull();
    expect(duration(86_400_000)).toBe('1d');
  });
});

test('jsonLines indents and neutralises what JSON.stringify leaves raw', () => {
  expect(jsonLines({ a: 'x\u009b2Jy', n: 1 })).toEqual(['  {', '    "a": "xy",', '    "n": 1', '  }']);
  expect(jsonLines({ esc: '\u001b[31m' })).toEqual(['  {', '    "esc": "\\u001b[31m"', '  }']);
});
