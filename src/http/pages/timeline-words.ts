import type { Call, CallEvent } from '../../calls/call.ts';
import { MENU } from '../../calls/call-flow.ts';
import type { Viewer } from './call-view.ts';
import { outcomeWords } from './call-words.ts';

/** A second count as `12 s`, `3 min 5 s`, `1 h 2 min`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${Math.floor(m / 60)} h`;
}

/** `22:41:07` (or `10:41:07 PM`): a call's steps are seconds apart, so the timeline shows seconds. */
export function formatClock(ms: number, zone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: zone, hour: 'numeric', minute: '2-digit', second: '2-digit' }).format(ms);
}

/** What was said, without the menu that follows it (the step says "then the menu"). */
function spoken(detail: Record<string, unknown>): string {
  const text = typeof detail.text === 'string' ? detail.text : '';
  return text.endsWith(MENU) ? text.slice(0, -MENU.length).trim() : text;
}

const KEYS: Record<string, string> = { '1': 'another joke', '9': 'stop calls to this number' };

/** One step in words; `relation` replaces the gap when the step is measured against something else (its due time). */
type Step = { text: string; quote?: string; relation?: string };

/**
 * One timeline entry in words, or undefined for the technical ones (command ids, carrier echoes, notes) a person
 * need not read. `detected` says whether answering-machine detection reported, so "Answered" does not claim who
 * before the check finished.
 */
function words(event: CallEvent, call: Call, detected: boolean, zone: string, locale: string): Step | undefined {
  const detail = event.detail ?? {};
  if (event.kind === 'status') {
    switch (event.name) {
      case 'scheduled':
        return { text: detail.requeued ? 'Put back in the queue: no free line yet' : 'Scheduled' };
      case 'dialing': {
        // Measured against the due time, not the step before (scheduling may have been days earlier).
        const late = typeof detail.latenessMs === 'number' ? detail.latenessMs : null;
        const due = `due ${formatClock(call.dueAt, zone, locale)}`;
        return late !== null && late >= 1000 ? { text: `Dialed ${duration(late)} after its time`, relation: due } : { text: 'Dialed on time', relation: due };
      }
      case 'ringing':
        return { text: 'Ringing' };
      case 'in_progress':
        if (detected) return { text: 'Answered' };
        return { text: call.answeredBy === 'machine' ? 'Answered by a machine' : call.answeredBy === 'human' ? 'Answered by a person' : 'Answered' };
      default: {
        const outcome = outcomeWords({ ...call, status: event.name as Call['status'], reason: typeof detail.reason === 'string' ? detail.reason : call.reason }, event.at);
        return { text: `Ended: ${outcome.charAt(0).toLowerCase()}${outcome.slice(1)}` };
      }
    }
  }
  if (event.kind === 'command') {
    const step = typeof detail.step === 'string' ? detail.step : '';
    const source = detail.source;
    if (event.name === 'gather') {
      const first = step === 'menu-1';
      const what = source === 'message' ? 'Read your message' : first ? 'Told a joke' : 'Told another joke';
      return { text: `${what}, then the menu: press 1 for another joke, 9 to stop calls`, quote: spoken(detail) };
    }
    if (event.name === 'speak') {
      if (source === 'goodbye') return { text: 'Said goodbye', quote: spoken(detail) };
      if (source === 'opted-out') return { text: 'Confirmed by voice that the number will not be called again', quote: spoken(detail) };
      return { text: source === 'message' ? 'Read your message to the machine' : 'Told a joke to the machine', quote: spoken(detail) };
    }
    if (event.name === 'hangup') return { text: 'Hung up after the last words' };
    return undefined;
  }
  if (event.kind === 'webhook') {
    switch (event.name) {
      case 'call.machine.detection.ended':
        if (detail.result === 'machine') return { text: 'Answering-machine check: a machine — the message waits for the beep' };
        if (detail.result === 'human') return { text: 'Answering-machine check: a person' };
        return { text: 'Answering-machine check: not sure — treated as a person' };
      case 'call.machine.greeting.ended':
        return { text: "The machine's greeting ended" };
      case 'call.speak.ended':
        return { text: 'Finished speaking' };
      case 'call.gather.ended': {
        const digits = typeof detail.digits === 'string' ? detail.digits : '';
        if (detail.status === 'valid' && digits) return { text: `Pressed ${digits}${KEYS[digits] ? `: ${KEYS[digits]}` : ''}` };
        if (detail.status === 'invalid') return { text: `Pressed ${digits || 'a key'}, which the menu does not offer` };
        if (detail.status === 'timeout' || (detail.status === 'valid' && !digits)) return { text: 'Pressed nothing' };
        return undefined;
      }
      case 'call.hangup':
        return detail.hangupSource === 'callee' ? { text: 'They hung up' } : undefined;
      default:
        return undefined;
    }
  }
  if (event.kind === 'note' && event.name === 'do-not-call') {
    const canceled = typeof detail.scheduledCallsCanceled === 'number' ? detail.scheduledCallsCanceled : 0;
    const ended = typeof detail.schedulesEnded === 'number' ? detail.schedulesEnded : 0;
    const also = [canceled ? `${canceled} scheduled ${canceled === 1 ? 'call' : 'calls'} canceled` : '', ended ? `${ended} ${ended === 1 ? 'schedule' : 'schedules'} ended` : ''].filter(Boolean);
    return { text: `The number is on the do-not-call list now${also.length ? ` (${also.join(', ')})` : ''}` };
  }
  if (event.kind === 'error' && typeof detail.reason === 'string') return { text: `The carrier refused a step (${event.name.replace(/\.failed$/, '')}): ${detail.reason}` };
  return undefined;
}

/**
 * The call's story, in the order it happened: each step with its time (viewer's zone, to the second) and how long
 * after the step before it came — except the dial, which is measured against its due time.
 */
export function timelineView(call: Call, events: readonly CallEvent[], viewer: Viewer) {
  const detected = events.some((e) => e.kind === 'webhook' && e.name === 'call.machine.detection.ended');
  const steps: { at: string; iso: string; text: string; quote: string | null; after: string | null }[] = [];
  let previous: number | undefined;
  for (const event of events) {
    const step = words(event, call, detected, viewer.zone, viewer.locale);
    if (!step) continue;
    const gap = previous === undefined ? null : event.at - previous;
    steps.push({
      at: formatClock(event.at, viewer.zone, viewer.locale),
      iso: new Date(event.at).toISOString(),
      text: step.text,
      quote: step.quote ?? null,
      after: step.relation ?? (gap === null ? null : `+${duration(gap)}`),
    });
    previous = event.at;
  }
  return steps;
}
