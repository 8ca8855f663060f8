import test from 'ava';
import { fit, MENU } from '../../../src/calls/call-flow.ts';
import { MAX_SPEECH_CHARS } from '../../../src/calls/carrier.ts';
import { serviceLevelFor } from '../../../src/telnyx/speech-options.ts';

test('when a text and the menu fit in one prompt, then they are joined unchanged', (t) => {
  t.is(fit('Knock knock.', MENU), `Knock knock. ${MENU}`);
  t.is(fit('Knock knock.'), 'Knock knock.');
});

test('when a joke is too long for one prompt with the menu, then the joke is cut at a word and the menu kept whole', (t) => {
  const long = Array.from({ length: 1000 }, (_, i) => `word${i}`).join(' ');
  const text = fit(long, MENU);
  t.true(text.length <= MAX_SPEECH_CHARS);
  t.true(text.endsWith(`… ${MENU}`));
  t.regex(text.slice(0, -MENU.length - 2), /word\d+$/);
});

test('when a text alone is too long, then it is cut within the limit', (t) => {
  t.true(fit('x'.repeat(5000)).length <= MAX_SPEECH_CHARS);
});

test('when the voice is male or female, then the basic service level; any named voice is premium', (t) => {
  t.is(serviceLevelFor('female'), 'basic');
  t.is(serviceLevelFor('male'), 'basic');
  t.is(serviceLevelFor('AWS.Polly.Joanna-Neural'), 'premium');
});
