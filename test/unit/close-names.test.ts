/** Closest-name suggestions: the bounded edit distance agrees with the full one wherever it matters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, boundedDistance, closeNames } from '../../server/src/core/model/routing';

test('boundedDistance equals editDistance within the limit and exceeds the limit otherwise', () => {
  // seeded: the same strings every run
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const word = (n: number) => Array.from({ length: n }, () => 'abcde-'[Math.floor(rnd() * 6)]).join('');
  let checked = 0;
  for (let k = 0; k < 50000; k++) {
    const a = word(Math.floor(rnd() * 14));
    const b = word(Math.floor(rnd() * 14));
    const limit = Math.floor(rnd() * 6);
    const d = editDistance(a, b);
    const e = boundedDistance(a, b, limit);
    if (d <= limit) assert.equal(e, d, `${a} / ${b} limit ${limit}`);
    else assert.ok(e > limit, `${a} / ${b} limit ${limit}: ${e}`);
    checked++;
  }
  assert.equal(checked, 50000);
  // longer than the reusable rows
  const long = 'x'.repeat(100);
  assert.equal(boundedDistance(long, long + 'y', 2), 1);
});

test('closeNames: closest first, containment counts, far names are left out', () => {
  assert.deepEqual(closeNames('reviews', ['reveiws', 'ratings', 'reviews-v2', 'details']), ['reveiws', 'reviews-v2']);
  assert.deepEqual(closeNames('was-service', ['was-svc', 'was-service', 'web-service']), ['web-service']);
  assert.deepEqual(closeNames('db', ['postgres', 'redis']), []);
});
