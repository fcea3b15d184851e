import { LeaseBook } from '../../src/flow/leases';

test('leases expire in deadline order; a renewal or a drop outdates the old deadline', () => {
  const book = new LeaseBook();
  book.renew('a', '10s', 0);
  book.renew('b', '5s', 0);
  book.renew('c', '20s', 0);
  expect(book.nextDeadline()).toBe(5_000);
  book.renew('b', undefined, 8_000); // b's lease counts again from 8 s: 13 s
  book.drop('c');
  expect(book.nextDeadline()).toBe(10_000);
  expect(book.takeExpired(12_000).map((l) => l.taskId)).toEqual(['a']);
  expect(book.takeExpired(13_000).map((l) => l.taskId)).toEqual(['b']);
  expect(book.nextDeadline()).toBeUndefined();
  expect(book.toArray()).toEqual([]);
});

test('renewing 10,000 leases many times stays cheap and keeps the earliest one first', () => {
  const book = new LeaseBook();
  for (let round = 0; round < 5; round++) for (let i = 0; i < 10_000; i++) book.renew(`t-${i}`, '1m', round * 1_000 + i);
  expect(book.nextDeadline()).toBe(4_000 + 60_000);
  expect(book.takeExpired(4_000 + 60_000 + 9)).toHaveLength(10);
  expect(book.toArray()).toHaveLength(9_990);
});
