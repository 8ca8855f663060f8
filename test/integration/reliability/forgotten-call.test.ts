import test from 'ava';
import { CarrierSimulator } from 'telnyx-simulator';
import { createTelnyxTelephony } from '../../../src/telnyx/telnyx-telephony.ts';

for (const status of [404, 422] as const) {
  test(`when the carrier answers a forgotten call's status with ${status}, then the adapter reads it as no record (the reconciler ends such a call)`, async (t) => {
    const simulator = new CarrierSimulator({ unknownCallStatus: status });
    await simulator.start();
    t.teardown(() => simulator.stop());
    const telephony = createTelnyxTelephony({
      apiKey: 'KEY',
      baseUrl: () => simulator.baseUrl,
      connectionId: 'simulated-connection',
      fromNumber: '+12025550100',
      webhookUrl: () => 'http://127.0.0.1:9/webhook',
      voice: 'female',
      language: 'en-US',
      answeringMachineDetection: 'disabled',
      ringTimeoutSecs: 30,
      timeLimitSecs: 300,
      webhookRetriesMs: [],
      requestTimeoutMs: 2000,
    });
    // A well-formed id the carrier does not know (as one it has forgotten): the wire says `status`.
    const id = 'v3:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const raw = await fetch(`${simulator.baseUrl}/calls/${encodeURIComponent(id)}`, { headers: { authorization: 'Bearer KEY' } });
    t.is(raw.status, status);
    t.is(((await raw.json()) as { errors: { code: string }[] }).errors[0]?.code, status === 404 ? '10005' : '90018');
    t.is(await telephony.callStatus(id), undefined);
  });
}
