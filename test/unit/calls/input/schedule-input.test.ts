import test from 'ava';
import { parseApiSchedule, parseFormSchedule, type SchedulingRules } from '../../../../src/calls/input/schedule-input.ts';
import { ValidationError } from '../../../../src/kernel/errors.ts';
import { DEFAULT_NUMBER_TYPES, defaultAllowedCountries } from '../../../../src/calls/input/destination-policy.ts';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const RULES: SchedulingRules = {
  defaultCountry: null,
  graceSeconds: 60,
  horizonDays: 90,
  messageMaxLength: 500,
  allowedCountries: ['US', 'GB', 'IE'],
  allowedNumberTypes: DEFAULT_NUMBER_TYPES,
};
const AT = '2026-11-21T20:00:00+01:00';

function errorsOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.errors;
    throw err;
  }
  return [];
}

const goodNumbers: [string, string, string | null][] = [
  ['+12025550123', '+12025550123', null],
  ['+1 (202) 555-0123', '+12025550123', null],
  ['+44 20 7946 0958', '+442079460958', null],
  ['+353 87 123 4567', '+353871234567', null],
  ['(202) 555-0123', '+12025550123', 'US'],
  ['020 7946 0958', '+442079460958', 'GB'],
];
for (const [input, e164, country] of goodNumbers) {
  test(`when "to" is ${input}${country ? ` with default country ${country}` : ''}, then it becomes ${e164}`, (t) => {
    t.is(parseApiSchedule({ to: input, at: AT }, NOW, { ...RULES, defaultCountry: country }).to, e164);
  });
}

const badNumbers: [unknown, RegExp][] = [
  ['', /is required/],
  [undefined, /is required/],
  ['1-800-FLOWERS', /may contain only digits/],
  ['call me', /may contain only digits/],
  ['911', /international format/],
  ['+1911', /not a valid phone number/],
  ['+15551234567', /not a valid phone number/],
  ['+12025550', /not a valid phone number/],
  ['+19005550123', /premium-rate numbers are not allowed/],
  [12025550123, /must be a string/],
];
for (const [input, message] of badNumbers) {
  test(`when "to" is ${JSON.stringify(input)}, then it is refused: ${message.source}`, (t) => {
    const errors = errorsOf(() => parseApiSchedule({ to: input, at: AT }, NOW, RULES));
    t.is(errors.length, 1);
    t.is(errors[0]?.path, 'to');
    t.regex(errors[0]?.message ?? '', message);
  });
}

test('when "at" has an offset, then it is that instant; the zone only labels it', (t) => {
  const r = parseApiSchedule({ to: '+12025550123', at: AT, timezone: 'America/New_York', message: '  Hello there  ' }, NOW, RULES);
  t.is(r.dueAt, Date.parse('2026-11-21T19:00:00Z'));
  t.is(r.timeZone, 'America/New_York');
  t.is(r.message, 'Hello there');
  t.is(parseApiSchedule({ to: '+12025550123', at: '2026-11-21T19:00:00Z' }, NOW, RULES).timeZone, 'UTC');
});

const badAt: [unknown, RegExp][] = [
  ['2026-11-21T20:00:00', /with an offset/],
  ['2026-11-21', /with an offset/],
  ['tomorrow', /with an offset/],
  ['2026-02-30T10:00:00Z', /not a real date/],
  ['2026-11-21T11:58:00Z', /is in the past/],
  ['2027-03-01T12:00:00Z', /more than 90 days ahead/],
  [undefined, /is required/],
];
for (const [at, message] of badAt) {
  test(`when "at" is ${JSON.stringify(at)}, then it is refused: ${message.source}`, (t) => {
    const errors = errorsOf(() => parseApiSchedule({ to: '+12025550123', at }, NOW, RULES));
    t.deepEqual(errors.map((e) => e.path), ['at']);
    t.regex(errors[0]?.message ?? '', message);
  });
}

test('when "at" is a few seconds late, then the grace lets it through', (t) => {
  t.is(parseApiSchedule({ to: '+12025550123', at: '2026-11-21T11:59:30Z' }, NOW, RULES).dueAt, NOW - 30_000);
});

test('when the message is too long, has control characters or is blank, then it is refused or dropped', (t) => {
  t.regex(errorsOf(() => parseApiSchedule({ to: '+12025550123', at: AT, message: 'x'.repeat(501) }, NOW, RULES))[0]?.message ?? '', /at most 500/);
  t.notThrows(() => parseApiSchedule({ to: '+12025550123', at: AT, message: 'é'.repeat(500) }, NOW, RULES));
  t.regex(errorsOf(() => parseApiSchedule({ to: '+12025550123', at: AT, message: 'bell\u0007' }, NOW, RULES))[0]?.message ?? '', /control characters/);
  t.is(parseApiSchedule({ to: '+12025550123', at: AT, message: '   ' }, NOW, RULES).message, null);
});

test('when several fields are bad at once, then each is named, unknown fields too', (t) => {
  const errors = errorsOf(() => parseApiSchedule({ to: 'x', at: 'y', timezone: 'Mars/Base', message: 5, extra: true }, NOW, RULES));
  t.deepEqual(errors.map((e) => e.path).sort(), ['at', 'extra', 'message', 'timezone', 'to']);
});

test('when the body is not an object, then one error names the body', (t) => {
  t.deepEqual(errorsOf(() => parseApiSchedule([1, 2], NOW, RULES)), [{ path: '', message: 'must be a JSON object' }]);
});

const form = (date: string, time: string, timezone: string) => ({ to: '+12025550123', date, time, timezone });

test('when the page sends a local time and zone, then the server converts it', (t) => {
  t.is(parseFormSchedule(form('2026-11-21', '20:00', 'Europe/Dublin'), NOW, RULES).dueAt, Date.parse('2026-11-21T20:00:00Z'));
  t.is(parseFormSchedule(form('2026-11-22', '09:30', 'Asia/Kolkata'), NOW, RULES).dueAt, Date.parse('2026-11-22T04:00:00Z'));
  t.is(parseFormSchedule(form('2026-11-21', '15:00', 'America/New_York'), NOW, RULES).dueAt, Date.parse('2026-11-21T20:00:00Z'));
});

test('when the local time falls in a spring-forward gap, then it is refused as not existing', (t) => {
  const errors = errorsOf(() => parseFormSchedule(form('2027-03-14', '02:30', 'America/New_York'), NOW, { ...RULES, horizonDays: 365 }));
  t.deepEqual(errors.map((e) => e.path), ['time']);
  t.regex(errors[0]?.message ?? '', /does not exist in America\/New_York/);
});

test('when the local time happens twice (clocks go back), then the first one is meant', (t) => {
  const r = parseFormSchedule(form('2027-11-07', '01:30', 'America/New_York'), NOW, { ...RULES, horizonDays: 365 });
  t.is(r.dueAt, Date.parse('2027-11-07T05:30:00Z')); // 01:30 EDT (UTC−4), not 01:30 EST
  const dublin = parseFormSchedule(form('2027-10-31', '01:30', 'Europe/Dublin'), NOW, { ...RULES, horizonDays: 365 });
  t.is(dublin.dueAt, Date.parse('2027-10-31T00:30:00Z')); // 01:30 IST (UTC+1)
});

test('when the page leaves fields empty or malformed, then each is named', (t) => {
  const errors = errorsOf(() => parseFormSchedule({ to: '', date: '21/11/2026', time: '', timezone: '' }, NOW, RULES));
  t.deepEqual(errors.map((e) => e.path).sort(), ['date', 'time', 'timezone', 'to']);
});

test('when the page names an unknown zone, then it is refused', (t) => {
  t.deepEqual(errorsOf(() => parseFormSchedule(form('2026-11-21', '20:00', 'Europe/Atlantis'), NOW, RULES)).map((e) => e.path), ['timezone']);
});

const hostileMessages: [string, string, RegExp][] = [
  ['a C1 control (U+0085 next line)', 'one\u0085two', /control characters/],
  ['a C1 control (U+009B CSI)', '\u009b31mred', /control characters/],
  ['a right-to-left override (U+202E)', 'pay \u202Eexe.txt', /bidirectional/],
  ['a left-to-right isolate (U+2066)', 'a\u2066b\u2069', /bidirectional/],
  ['a right-to-left mark (U+200F)', 'a\u200Fb', /bidirectional/],
  ['a line separator (U+2028)', 'one\u2028two', /U\+2028/],
  ['a paragraph separator (U+2029)', 'one\u2029two', /U\+2029/],
  ['an unpaired surrogate', 'half \ud83d of an emoji', /unpaired surrogate/],
];
for (const [what, message, expected] of hostileMessages) {
  test(`when the message holds ${what}, then it is refused with a field error on message`, (t) => {
    const errors = errorsOf(() => parseApiSchedule({ to: '+12025550123', at: AT, message }, NOW, RULES));
    t.deepEqual(errors.map((e) => e.path), ['message']);
    t.regex(errors[0]?.message ?? '', expected);
  });
}

test('when the message has tabs, new lines, accents and emoji, then it is accepted', (t) => {
  const message = 'Line one\n\tLine two: café, 日本語, 😀, עברית';
  t.is(parseApiSchedule({ to: '+12025550123', at: AT, message }, NOW, RULES).message, message);
});

const refusedDestinations: [string, string, RegExp][] = [
  ['+881612345678', 'Iridium satellite (+881)', /satellite or international-network number \(\+881\)/],
  ['+870772001799', 'Inmarsat (+870)', /satellite or international-network number \(\+870\)/],
  ['+88213112345', 'an international network (+882)', /satellite or international-network number \(\+882\)/],
  ['+883510012345', 'an international network (+883)', /satellite or international-network number \(\+883\)/],
  ['+5352345678', 'Cuba', /is in Cuba \(\+53\); this service calls only United States, United Kingdom, Ireland/],
  ['+252612345678', 'Somalia', /is in Somalia \(\+252\)/],
  ['+18765551234', 'Jamaica, inside +1', /is in Jamaica \(\+1\)/],
  ['+447012345678', 'a UK 070 personal number', /personal numbers \(such as UK 070\) are not allowed/],
  ['+448712345678', 'UK premium rate', /premium-rate numbers are not allowed/],
  ['+443001234567', 'a UK universal access number', /universal access numbers are not allowed/],
];
for (const [to, what, message] of refusedDestinations) {
  test(`when "to" is ${what} (${to}) under the default types, then it is refused on "to"`, (t) => {
    const errors = errorsOf(() => parseApiSchedule({ to, at: AT }, NOW, RULES));
    t.deepEqual(errors.map((e) => e.path), ['to']);
    t.regex(errors[0]?.message ?? '', message);
  });
}

test('when the operator allows 001 and personal numbers explicitly, then satellite and UK 070 numbers are accepted', (t) => {
  const rules = { ...RULES, allowedCountries: ['GB', '001'], allowedNumberTypes: [...DEFAULT_NUMBER_TYPES, 'PERSONAL_NUMBER'] };
  t.is(parseApiSchedule({ to: '+881612345678', at: AT }, NOW, rules).to, '+881612345678');
  t.is(parseApiSchedule({ to: '+447012345678', at: AT }, NOW, rules).to, '+447012345678');
  t.regex(errorsOf(() => parseApiSchedule({ to: '+12025550123', at: AT }, NOW, rules))[0]?.message ?? '', /United States/);
});

test('when no countries are configured, then the default is the caller id country, else DEFAULT_COUNTRY', (t) => {
  t.deepEqual(defaultAllowedCountries('+12025550100', null), ['US']);
  t.deepEqual(defaultAllowedCountries('+442079460000', 'US'), ['GB']);
  t.deepEqual(defaultAllowedCountries(undefined, 'IE'), ['IE']);
  t.deepEqual(defaultAllowedCountries(undefined, null), []);
});

test('when the zone is an alias, then its canonical name is used; when made up or huge, then it is refused', (t) => {
  t.is(parseApiSchedule({ to: '+12025550123', at: AT, timezone: 'US/Eastern' }, NOW, RULES).timeZone, 'America/New_York');
  t.is(parseApiSchedule({ to: '+12025550123', at: AT, timezone: 'Etc/UTC' }, NOW, RULES).timeZone, 'UTC');
  for (const zone of ['Mars/Olympus_Mons', 'x'.repeat(60_000), '../../etc/passwd', 'Europe/Dublin\u0000']) {
    t.deepEqual(errorsOf(() => parseApiSchedule({ to: '+12025550123', at: AT, timezone: zone }, NOW, RULES)).map((e) => e.path), ['timezone']);
  }
});
