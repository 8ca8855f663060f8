import type { ServerResponse } from 'node:http';
import { sendJson } from './simulator-http.ts';
import type { Reply } from './simulator-http.ts';
import { telnyxErrors } from './telnyx-errors.ts';

/**
 * Writes (or withholds) a dial answer that is to be lost although the call was placed, the four ways a client
 * can be left not knowing: `timeout` leaves the request open until the client gives up (or the simulator stops);
 * `drop` destroys the socket; `error-after` answers a Telnyx `500` as if the call had failed; `no-call-id`
 * answers `200` whose `data` lacks `call_control_id`.
 */
export function sendLostAnswer(res: ServerResponse, reply: Reply, requestId: string): void {
  switch (reply.lostAs) {
    case 'timeout':
      return;
    case 'drop':
      res.socket?.destroy();
      return;
    case 'error-after': {
      const failure = telnyxErrors.unexpected(500, 'An unexpected error occurred while processing the request.');
      sendJson(res, { status: failure.status, body: failure.body }, requestId);
      return;
    }
    case 'no-call-id':
    case undefined: {
      const data = (reply.body as { data?: Record<string, unknown> }).data ?? {};
      const { call_control_id: _dropped, ...rest } = data;
      sendJson(res, { ...reply, body: { data: rest } }, requestId);
      return;
    }
  }
}
