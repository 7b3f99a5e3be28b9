/**
 * Two sizes for the tests that generate their load (faults, properties, fuzzing, large logs):
 * `npm test` runs the quick one, so the whole suite stays a few minutes on a 2-core machine; `npm run
 * test:full` (OUTREACH_TEST_SIZE=full) the full one, which CI runs too. The quick size still has to
 * be able to fail: each is large enough to reach every case its assertions name.
 */
export const fullSize = process.env['OUTREACH_TEST_SIZE'] === 'full';
export const bySize = <T>(quick: T, full: T): T => (fullSize ? full : quick);
