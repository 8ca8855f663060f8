/**
 * The carrier simulator in a process of its own, as Telnyx is elsewhere: the service under test does not pay for
 * the carrier's work on its event loop. Driven over IPC by {@link startSimHost}; exits when its parent goes.
 * Also runs a webhook sink, for calls whose webhooks a benchmark wants to swallow.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CarrierSimulator } from 'telnyx-simulator';
import { serveIpc } from './ipc-child.ts';
import type { SimCommand, SimRequest, SimStarted } from './sim-client.ts';

let simulator: CarrierSimulator | undefined;

const sink = createServer((req, res) => {
  req.resume();
  req.once('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});

function running(): CarrierSimulator {
  if (!simulator) throw new Error('not started');
  return simulator;
}

serveIpc<SimRequest>(async (request) => {
  switch (request.op) {
    case 'start': {
      simulator = new CarrierSimulator({ ...request.knobs, signingSeedBase64: request.seed });
      const { baseUrl } = await simulator.start();
      await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
      const started: SimStarted = {
        baseUrl,
        publicKeyBase64: simulator.publicKeyBase64,
        sinkUrl: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/sink`,
      };
      return started;
    }
    case 'configure':
      running().configure(request.knobs);
      return null;
    case 'commands':
      return running()
        .commands.filter((c) => request.kind === undefined || c.kind === request.kind)
        .map(
          (c): SimCommand => ({
            kind: c.kind,
            at: c.at,
            status: c.status,
            deduplicated: c.deduplicated,
            clientState: typeof c.body.client_state === 'string' ? c.body.client_state : null,
          }),
        );
    case 'stop':
      await simulator?.stop();
      sink.closeAllConnections();
      sink.close();
      return null;
  }
});
