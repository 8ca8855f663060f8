import test from 'ava';
import { clientKey, networkKey } from '../../../src/accounts/client-address.ts';
import { mailboxKey } from '../../../src/accounts/mailbox-key.ts';

test('when addresses of one mailbox are written differently, then they share one limit key; other mailboxes do not', (t) => {
  for (const email of ['me@gmail.com', 'Me+1@gmail.com', 'm.e@gmail.com', 'M.E+tag@googlemail.com']) t.is(mailboxKey(email), 'me@gmail.com', email);
  t.is(mailboxKey('ann+news@example.test'), 'ann@example.test', 'a +tag is dropped for every domain');
  t.is(mailboxKey('a.nn@example.test'), 'a.nn@example.test', 'dots matter outside Gmail');
  t.is(mailboxKey('me-tag@yahoo.com'), 'me@yahoo.com', "Yahoo's - tags");
  t.not(mailboxKey('ann@example.test'), mailboxKey('ann@example.org'));
});

test('when client addresses are keyed by network, then IPv4 keys on its /24 and IPv6 on its /48, mapped IPv4 as IPv4', (t) => {
  t.is(networkKey('203.0.113.77'), '203.0.113.0/24');
  t.is(networkKey('::ffff:203.0.113.9'), '203.0.113.0/24');
  t.is(networkKey('2001:db8:ab:1234::5'), '2001:db8:ab::/48');
  t.is(networkKey('2001:db8:ab:ffff:1:2:3:4'), networkKey('2001:db8:ab:1::1'), 'every /64 of a /48 is one network');
  t.not(networkKey('2001:db8:ac::1'), networkKey('2001:db8:ab::1'));
  t.is(clientKey('2001:db8:ab:1234::5'), '2001:db8:ab:1234::/64', 'the per-address key stays the /64');
});
