import { isDuration, parseDuration } from '../../src/config';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1.5s', 1_500],
    [' 10m ', 600_000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', '10 minutes', '-5s', '1w', 's', '5S'])('rejects %j, saying what a duration looks like', (text) => {
    expect(() => parseDuration(text)).toThrow(/is not a duration such as "500ms", "30s", "15m", "2h" or "7d"\./);
    expect(isDuration(text)).toBe(false);
  });
});
