import type { Call } from '../calls/call.ts';
import type { QueueSignals } from '../calls/call-service.ts';
import { fieldErrors } from '../calls/input/zod-field-errors.ts';
import { checkMessage, parseDestination, type SchedulingRules } from '../calls/input/schedule-input.ts';
import type { Clock } from '../kernel/clock.ts';
import { conflict, LimitError, notFound, optedOut, ValidationError, type FieldError } from '../kernel/errors.ts';
import type { ScheduleStore } from './schedule-store.ts';
import type { DoNotCallList } from '../calls/do-not-call-list.ts';
import type { Schedule, SchedulePatch } from './schedule.ts';
import { occurrencesOf } from './schedule-bounds.ts';
import { cronOf, SchedulePatchSchema, ScheduleRequestSchema, type ScheduleRequestBody } from './schedule-schema.ts';
import type { ScheduleKeeperCore } from './schedule-keeper.ts';
import type { CallLimitsFor, ScheduleTally } from '../calls/call-store.ts';

/** Schedules one account may keep (active or paused); each active one also holds a pending call. */
export const MAX_SCHEDULES_PER_ACCOUNT = 50;
/** Occurrences shown ahead on a schedule's page and in its JSON. */
export const UPCOMING_SHOWN = 5;

/** A validated request: the schema's shape with `to` in E.164 and the rule as cron. */
type Validated = Omit<ScheduleRequestBody, 'message'> & { message: string | null; cron: string };

/**
 * The schedules' use-cases for the page and the API: create (with its first occurrence), preview, list, read (with
 * the next occurrences and past calls), pause, resume, change, stop. Another account's schedule is "not found".
 */
export function createScheduleService(deps: {
  store: ScheduleStore & Pick<DoNotCallList, 'getDoNotCall'>;
  clock: Clock;
  newId: () => string;
  rules: SchedulingRules;
  queue: QueueSignals;
  keeper: Pick<ScheduleKeeperCore, 'ensure'>;
  /** Abuse limits for a call, here the first occurrence's: a schedule that could not ring is refused. */
  callLimits: CallLimitsFor;
}) {
  const { store, clock, rules } = deps;

  function validate(body: unknown): Validated {
    const parsed = ScheduleRequestSchema.safeParse(body);
    const errors: FieldError[] = parsed.success ? [] : fieldErrors(parsed.error.issues);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError([{ path: '', message: 'must be a JSON object' }]);
    const raw = body as Record<string, unknown>;
    const to = typeof raw.to === 'string' && !errors.some((e) => e.path === 'to') ? parseDestination(raw.to, rules.defaultCountry, rules, errors) : undefined;
    const message = typeof raw.message === 'string' ? checkMessage(raw.message, rules, errors) : null;
    if (!parsed.success || errors.length > 0 || to === undefined) throw new ValidationError(errors);
    return { ...parsed.data, to, message, cron: cronOf(parsed.data.repeat) };
  }

  /** The first occurrences the rule would give from now; a rule that never rings is refused. */
  function firstOccurrences(v: Pick<Validated, 'cron' | 'timezone' | 'startsOn' | 'endsOn'>, count: number): number[] {
    const list = occurrencesOf({ cron: v.cron, timeZone: v.timezone, startsOn: v.startsOn ?? null, endsOn: v.endsOn ?? null }, clock.now(), count);
    if (list.length === 0) throw new ValidationError([{ path: 'repeat', message: 'never rings from now on (no time matches before endsOn)' }]);
    const first = list[0] as number;
    if (first > clock.now() + rules.horizonDays * 86_400_000) {
      throw new ValidationError([{ path: v.startsOn ? 'startsOn' : 'repeat', message: `first rings more than ${rules.horizonDays} days ahead` }]);
    }
    return list;
  }

  async function owned(id: string, owner: string): Promise<Schedule> {
    const schedule = await store.getSchedule(id, owner);
    if (!schedule) throw notFound(`Schedule ${id}`);
    return schedule;
  }

  /** The next occurrences: the pending one first, then those the rule gives after it (none once ended). */
  function upcoming(schedule: Schedule, pending: Call | undefined): number[] {
    if (schedule.status === 'ended') return [];
    const from = pending?.occurrenceAt ?? Math.max(schedule.afterAt, schedule.holdUntil ?? -Infinity, clock.now());
    const later = occurrencesOf(schedule, from, UPCOMING_SHOWN - (pending ? 1 : 0));
    return pending ? [pending.dueAt, ...later] : later;
  }

  return {
    /** The next three (or `count`) instants a request would ring at, without saving anything. */
    preview(body: unknown, count = 3): { occurrences: number[]; timezone: string } {
      const v = validate(body);
      return { occurrences: firstOccurrences(v, count), timezone: v.timezone };
    },

    async create(body: unknown, owner: string): Promise<{ schedule: Schedule; occurrence: Call | undefined }> {
      const v = validate(body);
      const [first] = firstOccurrences(v, 1) as [number];
      if (await store.getDoNotCall(v.to)) throw optedOut();
      const now = clock.now();
      // The open-schedule limit, and the same limits as a single call for the first occurrence (a schedule that
      // could not ring is refused now), decided by the store as it inserts the schedule: a burst cannot pass them.
      const firstCall = deps.callLimits(owner, v.to, first);
      const limits = {
        decideOpen(open: ScheduleTally) {
          if (open.open >= MAX_SCHEDULES_PER_ACCOUNT) throw new LimitError(`You have ${MAX_SCHEDULES_PER_ACCOUNT} schedules, the most allowed. Stop one first.`, 86_400_000);
          firstCall.decideSchedule?.(open);
        },
        firstCall,
      };
      const schedule = await store.insertSchedule({
        id: deps.newId(),
        accountId: owner,
        to: v.to,
        timeZone: v.timezone,
        repeat: v.repeat,
        cron: v.cron,
        message: v.message,
        startsOn: v.startsOn ?? null,
        endsOn: v.endsOn ?? null,
        retry: v.retry ?? null,
        createdAt: now,
        afterAt: now,
      }, limits);
      const occurrence = await deps.keeper.ensure(schedule);
      return { schedule: (await store.getSchedule(schedule.id)) ?? schedule, occurrence };
    },

    async list(owner: string): Promise<Schedule[]> {
      return store.listSchedules(owner, MAX_SCHEDULES_PER_ACCOUNT * 2);
    },

    async get(id: string, owner: string): Promise<{ schedule: Schedule; upcoming: number[]; calls: Call[] }> {
      const schedule = await owned(id, owner);
      const pending = await store.pendingOccurrence(id);
      return { schedule, upcoming: upcoming(schedule, pending), calls: await store.scheduleCalls(id, 20) };
    },

    /** Pause/resume (`paused`) and/or change fields. A change cancels the pending occurrence and makes the next one. */
    async change(id: string, body: unknown, owner: string): Promise<Schedule> {
      const current = await owned(id, owner);
      const parsed = SchedulePatchSchema.safeParse(body);
      if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error.issues));
      if (current.status === 'ended') throw conflict('The schedule has been stopped; create a new one.');
      const { paused, ...fields } = parsed.data;
      const now = clock.now();
      let patch: SchedulePatch = {};
      if (Object.keys(fields).length > 0) {
        // Validated whole, as a new request would be, so a change cannot make a schedule that creation would refuse.
        const merged = validate({
          to: fields.to ?? current.to,
          repeat: fields.repeat ?? current.repeat,
          timezone: fields.timezone ?? current.timeZone,
          message: fields.message !== undefined ? fields.message : current.message,
          startsOn: fields.startsOn !== undefined ? fields.startsOn : current.startsOn,
          endsOn: fields.endsOn !== undefined ? fields.endsOn : current.endsOn,
          retry: fields.retry !== undefined ? fields.retry : current.retry,
        });
        if (merged.to !== current.to && (await store.getDoNotCall(merged.to))) throw optedOut();
        patch = {
          to: merged.to,
          repeat: merged.repeat,
          cron: merged.cron,
          timeZone: merged.timezone,
          message: merged.message,
          startsOn: merged.startsOn ?? null,
          endsOn: merged.endsOn ?? null,
          retry: merged.retry ?? null,
          // The new rule counts from now: the canceled occurrence may come back if the new rule still has it.
          afterAt: now,
          holdUntil: null,
          nextAt: null,
        };
      }
      // The canceled occurrence must come back on resume when its time has not passed: the cursor moves back to now.
      if (paused === true && current.status !== 'paused') patch = { ...patch, status: 'paused', nextAt: null, holdUntil: null, afterAt: now };
      if (paused === false) patch = { ...patch, status: 'active', afterAt: Math.max(patch.afterAt ?? current.afterAt, now) };
      const pausing = paused === true && current.status !== 'paused';
      const changing = Object.keys(fields).length > 0;
      if (!pausing && !changing) {
        const updated = (await store.updateSchedule(id, patch, now)) as Schedule;
        if (updated.status === 'active') await deps.keeper.ensure(updated);
        return (await store.getSchedule(id)) ?? updated;
      }
      const result = await store.changeSchedule(id, patch, now, pausing ? 'the schedule was paused' : 'the schedule was changed');
      if (!result) throw notFound(`Schedule ${id}`);
      for (const callId of result.canceled) deps.queue.canceled(callId);
      if (result.schedule.status === 'active') await deps.keeper.ensure(result.schedule);
      return (await store.getSchedule(id)) ?? result.schedule;
    },

    /** Stops the schedule for good; its pending occurrence (and any retry waiting) is canceled. */
    async stop(id: string, owner: string): Promise<Schedule> {
      const current = await owned(id, owner);
      if (current.status === 'ended') throw conflict('The schedule has already ended.');
      const result = await store.changeSchedule(
        id,
        { status: 'ended', endReason: 'stopped by the person', nextAt: null, holdUntil: null },
        clock.now(),
        'the schedule was stopped',
      );
      if (!result) throw notFound(`Schedule ${id}`);
      for (const callId of result.canceled) deps.queue.canceled(callId);
      return result.schedule;
    },
  };
}
export type ScheduleService = ReturnType<typeof createScheduleService>;
