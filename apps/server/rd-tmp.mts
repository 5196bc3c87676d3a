import { getLibsqlEventStore } from '@ironstar/infrastructure';
const store = await getLibsqlEventStore({ url: 'file:/tmp/st/r.db' });
const page = Number(process.argv[2] ?? 500);
const start = performance.now();
let n = 0;
for (let after = 0; ; ) {
  const r = await store.readAll({ after, limit: page });
  const v = r._unsafeUnwrap();
  n += v.length;
  if (v.length < page) break;
  after = v.at(-1)!.globalSequence;
}
console.log('store.readAll page', page, n, Math.round(n / ((performance.now() - start) / 1000)), '/s', Math.round(performance.now() - start), 'ms');
await store.close();
