import type { Call, CallEvent } from '../../calls/call.ts';
import { formatTime, type Viewer } from './call-view.ts';
import { outcomeWords } from './call-words.ts';

/** A second count as `12 s`, `3 min 5 s`, `1 h 2 min`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${Math.floor(m / 60)} h`;
}

/** One timeline entry in words, or undefined for the technical ones (commands, notes) a person need not read. */
function words(event: CallEvent, call: Call): string | undefined {
  const detail = event.detail ?? {};
  if (event.kind === 'status') {
    switch (event.name) {
      case 'scheduled':
        return detail.requeued ? 'Put back in the queue: no free line yet' : 'Scheduled';
      case 'dialing': {
        const late = typeof detail.latenessMs === 'number' ? detail.latenessMs : null;
        return late !== null && late >= 1000 ? `Dialed, ${duration(late)} after its time` : 'Dialed on time';
      }
      case 'ringing':
        return 'Ringing';
      case 'in_progress':
        return call.answeredBy === 'machine' ? 'Answered by a machine' : call.answeredBy === 'human' ? 'Answered by a person' : 'Answered';
      default:
        return outcomeWords({ ...call, status: event.name as Call['status'], reason: typeof detail.reason === 'string' ? detail.reason : call.reason }, event.at);
    }
  }
  if (event.kind === 'webhook') {
    if (event.name === 'call.speak.started') return 'Started speaking';
    if (event.name === 'call.speak.ended') return 'Finished speaking';
    if (event.name === 'call.hangup') return 'Hung up';
    if (event.name === 'call.machine.detection.ended') return 'Answering-machine check finished';
  }
  return undefined;
}

/** The call's story: each step with its time (viewer's zone) and how long after the step before it came. */
export function timelineView(call: Call, events: readonly CallEvent[], viewer: Viewer) {
  const steps: { at: string; iso: string; text: string; after: string | null }[] = [];
  let previous: number | undefined;
  for (const event of events) {
    const text = words(event, call);
    if (!text) continue;
    steps.push({ at: formatTime(event.at, viewer.zone, viewer.locale), iso: new Date(event.at).toISOString(), text, after: previous === undefined || event.at - previous < 1000 ? null : duration(event.at - previous) });
    previous = event.at;
  }
  return steps;
}
