import test from 'ava';
import { createBuiltinJokeSource } from '../../../src/jokes/builtin-joke-source.ts';
import { BUILTIN_JOKES } from '../../../src/jokes/builtin-jokes.ts';
import type { JokeSource } from '../../../src/calls/joke-source.ts';

/** mulberry32: a tiny seeded generator, so a failing sequence can be replayed exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

async function draw(source: JokeSource, count: number): Promise<string[]> {
  const drawn: string[] = [];
  for (let i = 0; i < count; i++) drawn.push(await source.next());
  return drawn;
}

function assertNoRepeatWithin(drawn: readonly string[], window: number): string | undefined {
  for (let i = 0; i < drawn.length; i++) {
    const recent = drawn.slice(Math.max(0, i - window), i);
    if (recent.includes(drawn[i] ?? '')) return `draw ${i} repeats one of the previous ${window}`;
  }
  return undefined;
}

for (const seed of [1, 42, 2024, 987654321]) {
  test(`when drawing 2000 built-in jokes with seed ${seed}, then none repeats any of the last five`, async (t) => {
    const source = createBuiltinJokeSource({ random: seededRandom(seed) });
    const drawn = await draw(source, 2000);
    t.is(assertNoRepeatWithin(drawn, 5), undefined);
    t.true(drawn.every((joke) => BUILTIN_JOKES.includes(joke)));
    // Randomness that never reaches most of the collection would defeat the point of having it.
    t.true(new Set(drawn).size > BUILTIN_JOKES.length * 0.9);
  });
}

test('when avoidLast is 10 over a small collection, then no joke repeats within ten draws', async (t) => {
  const jokes = Array.from({ length: 12 }, (_, i) => `joke ${i}`);
  const source = createBuiltinJokeSource({ jokes, avoidLast: 10, random: seededRandom(7) });
  t.is(assertNoRepeatWithin(await draw(source, 1000), 10), undefined);
});

test('when random always returns 0, then the source cycles through the collection in order', async (t) => {
  const jokes = ['a', 'b', 'c', 'd', 'e', 'f'];
  const source = createBuiltinJokeSource({ jokes, random: () => 0 });
  t.deepEqual(await draw(source, 12), [...jokes, ...jokes]);
});

test('when avoidLast exceeds the collection size, then it is clamped so the source still answers', async (t) => {
  const source = createBuiltinJokeSource({ jokes: ['a', 'b'], avoidLast: 50, random: seededRandom(3) });
  const drawn = await draw(source, 20);
  // With the window clamped to one, two jokes can only alternate.
  t.true(drawn.every((joke, i) => i === 0 || joke !== drawn[i - 1]));
});

test('when the collection has a single joke, then it is told every time', async (t) => {
  const source = createBuiltinJokeSource({ jokes: ['only'], random: seededRandom(5) });
  t.deepEqual(await draw(source, 3), ['only', 'only', 'only']);
});

test('when avoidLast is 0, then repeats are allowed', async (t) => {
  const source = createBuiltinJokeSource({ jokes: ['a', 'b', 'c'], avoidLast: 0, random: () => 0 });
  t.deepEqual(await draw(source, 3), ['a', 'a', 'a']);
});

test('when the collection repeats a joke, then the duplicate does not count as a different joke', async (t) => {
  const source = createBuiltinJokeSource({ jokes: ['a', 'a', 'b'], avoidLast: 1, random: () => 0 });
  t.deepEqual(await draw(source, 4), ['a', 'b', 'a', 'b']);
});

test('when random misbehaves, then the source still answers from the collection', async (t) => {
  const jokes = ['a', 'b', 'c'];
  for (const value of [1, -0.5, Number.NaN, 7]) {
    const source = createBuiltinJokeSource({ jokes, random: () => value });
    const drawn = await draw(source, 6);
    t.true(drawn.every((joke) => jokes.includes(joke)), `random() = ${value}`);
  }
});

test('when the collection is empty, then creating the source throws', (t) => {
  t.throws(() => createBuiltinJokeSource({ jokes: [] }), { instanceOf: RangeError });
});
