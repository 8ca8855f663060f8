import type { IncomingMessage } from 'node:http';
import type { Clock } from '../clock.ts';
import type { CallControl } from './call-control.ts';
import { parseJsonObject, routeOf, stringField } from './simulator-http.ts';
import type { Reply, Route } from './simulator-http.ts';
import type { DialUnknownOutcomeMode, SimulatorKnobs } from '../simulator-options.ts';
import { TelnyxApiFailure, telnyxErrors } from './telnyx-errors.ts';
import { accountRequest, type SimulatedAccount } from './account.ts';

/** A Call Control command as the simulator received it, whatever it answered. */
export type CommandRecord = {
  kind: 'dial' | 'speak' | 'hangup' | 'gather' | 'gatherStop';
  /** Absent for a dial that placed no call. */
  callControlId: string | undefined;
  commandId: string | undefined;
  /** Clock time when the simulator decided its answer. */
  at: number;
  body: Record<string, unknown>;
  /** HTTP status it decided on (a lost answer is recorded with the status it would have had). */
  status: number;
  /** True when a repeated command_id was ignored (nothing done). */
  deduplicated: boolean;
  /** How the answer was lost, when it was (`dialUnknownOutcomeRate`). */
  lostAs: DialUnknownOutcomeMode | undefined;
};

export type ApiRouterDeps = {
  clock: Clock;
  knobs: () => Readonly<SimulatorKnobs>;
  random: () => number;
  control: CallControl;
  onFault: () => void;
  onCommand: (record: CommandRecord) => void;
  account: () => SimulatedAccount;
};

/** Answers one API request: authentication, injected faults, the JSON body, the route; throws Telnyx failures. */
export function createApiRouter(deps: ApiRouterDeps): (req: IncomingMessage, text: string) => Reply {
  const { clock, knobs, random, control } = deps;

  const dispatch = (route: Route, body: Record<string, unknown>, query: URLSearchParams): Reply => {
    switch (route.kind) {
      case 'dial':
        return control.dial(body);
      case 'speak':
        return control.speak(route.callControlId, body);
      case 'gather':
        return control.gatherUsingSpeak(route.callControlId, body);
      case 'gatherStop':
        return control.gatherStop(route.callControlId, body);
      case 'hangup':
        return control.hangup(route.callControlId, body);
      case 'status':
        return control.status(route.callControlId);
      case 'activeCalls':
        return control.activeCalls(route.connectionId, query);
      case 'account':
        return accountRequest(deps.account(), route.method, route.segments, query, body);
    }
  };

  return (req, text) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const route = routeOf(req.method, url.pathname);
    const record: CommandRecord | undefined =
      route.kind === 'status' || route.kind === 'activeCalls' || route.kind === 'account'
        ? undefined
        : {
            kind: route.kind,
            callControlId: route.kind === 'dial' ? undefined : route.callControlId,
            commandId: undefined,
            at: clock.now(),
            body: {},
            status: 0,
            deduplicated: false,
            lostAs: undefined,
          };
    try {
      const auth = req.headers.authorization ?? '';
      const token = /^Bearer\s+(\S+)/i.exec(auth)?.[1];
      const { apiKeys } = deps.account();
      if (token === undefined || (apiKeys.length > 0 && !apiKeys.includes(token))) throw telnyxErrors.authenticationFailed();
      const { faultRate } = knobs();
      if (faultRate > 0 && random() < faultRate) {
        deps.onFault();
        throw telnyxErrors.unexpected(503, 'The service is temporarily unavailable (simulated fault); nothing was done.');
      }
      const body = parseJsonObject(text);
      if (record) {
        record.body = body;
        record.commandId = stringField(body, 'command_id');
      }
      const reply = dispatch(route, body, url.searchParams);
      if (record) {
        record.status = reply.status;
        record.deduplicated = reply.deduplicated ?? false;
        record.lostAs = reply.lostAs;
        if (route.kind === 'dial') record.callControlId = callControlIdOf(reply.body);
      }
      return reply;
    } catch (error) {
      if (record && error instanceof TelnyxApiFailure) record.status = error.status;
      throw error;
    } finally {
      if (record) {
        record.at = clock.now();
        deps.onCommand(record);
      }
    }
  };
}

function callControlIdOf(body: unknown): string | undefined {
  const data = (body as { data?: { call_control_id?: unknown } }).data;
  return typeof data?.call_control_id === 'string' ? data.call_control_id : undefined;
}
