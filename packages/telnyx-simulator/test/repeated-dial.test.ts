import test from 'ava';
import { apiFailure, startFixture } from './simulator-fixture.ts';

test('when repeatedDialCommandId is replay (the default), then a repeat returns the first answer and places nothing', async (t) => {
  const { simulator, dial } = await startFixture(t);
  const first = await dial('+15551232001', { command_id: 'same' });
  const again = await dial('+15551232001', { command_id: 'same' });
  t.deepEqual(again.data, first.data);
  t.is(simulator.stats.callsPlaced, 1);
});

test('when repeatedDialCommandId is empty-200, then a repeat gets 200 without a call id and places nothing', async (t) => {
  const { simulator, client } = await startFixture(t, { repeatedDialCommandId: 'empty-200' });
  const body = { connection_id: 'c', from: '+15550000000', to: '+15551232002', webhook_url: 'http://127.0.0.1:9/hook', command_id: 'same' };
  const first = await client.calls.dial(body);
  t.truthy(first.data?.call_control_id);
  const again = await client.calls.dial(body);
  t.deepEqual(again, { data: { result: 'ok' } });
  t.is(simulator.stats.callsPlaced, 1);
  t.deepEqual(
    simulator.commands.map((c) => [c.status, c.deduplicated]),
    [
      [200, false],
      [200, true],
    ],
  );
});

test('when repeatedDialCommandId is 422, then a repeat is refused in Telnyx shape and places nothing', async (t) => {
  const { simulator, dial } = await startFixture(t, { repeatedDialCommandId: '422' });
  await dial('+15551232003', { command_id: 'same' });
  const refused = await apiFailure(t, dial('+15551232003', { command_id: 'same' }));
  t.is(refused.status, 422);
  t.like(refused.body.errors[0], { code: '10012', source: { pointer: '/command_id' } });
  t.is(simulator.stats.callsPlaced, 1);
  t.like(simulator.commands[1], { status: 422, deduplicated: true });
});
