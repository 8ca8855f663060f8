import test from 'ava';
import { BUILTIN_JOKES } from '../../../src/jokes/builtin-jokes.ts';

// Longer jokes drag on when spoken; the brief for the collection is "under about 200 characters".
const MAX_SPOKEN_LENGTH = 200;

test('when the built-in collection is loaded, then it holds at least 40 distinct non-empty jokes', (t) => {
  const distinct = new Set(BUILTIN_JOKES.map((joke) => joke.trim()).filter((joke) => joke.length > 0));
  t.true(distinct.size >= 40, `only ${distinct.size} distinct jokes`);
  t.is(distinct.size, BUILTIN_JOKES.length, 'the collection contains duplicates or blank entries');
});

test('when any built-in joke is spoken, then it is trimmed and under the length limit', (t) => {
  for (const joke of BUILTIN_JOKES) {
    t.is(joke, joke.trim());
    t.true(joke.length < MAX_SPOKEN_LENGTH, `too long for a call: ${joke}`);
  }
});

test('when any built-in joke is spoken, then it is plain printable text with no emoji or markup', (t) => {
  for (const joke of BUILTIN_JOKES) {
    t.regex(joke, /^[A-Za-z0-9 .,;:!?'"-]+$/, `not plain spoken text: ${joke}`);
  }
});

test('when someone tries to change the collection at runtime, then it refuses', (t) => {
  t.true(Object.isFrozen(BUILTIN_JOKES));
});
