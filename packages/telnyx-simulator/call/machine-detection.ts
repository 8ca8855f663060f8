import type { AnsweredBy } from './far-end.ts';
import type { CallMedia } from './call-handle.ts';

/** The `answering_machine_detection` modes that detect (everything but `disabled`). */
export const DETECTION_MODES = ['detect', 'detect_beep', 'detect_words', 'greeting_end', 'premium'] as const;
export type DetectionMode = (typeof DETECTION_MODES)[number];

/** What the dial asked for: the mode and the one config field the simulator honours. */
export type DetectionRequest = {
  mode: DetectionMode;
  /** `answering_machine_detection_config.total_analysis_time_millis`: detection gives up with `not_sure` after it. */
  totalAnalysisMs: number | undefined;
};

/**
 * Reads `answering_machine_detection` (+ config) from a dial body; undefined for none, `disabled` or an unknown
 * value (the caller refuses unknown values before this).
 */
export function detectionRequestOf(body: Record<string, unknown>): DetectionRequest | undefined {
  const mode = body.answering_machine_detection;
  if (!DETECTION_MODES.includes(mode as DetectionMode)) return undefined;
  const config = body.answering_machine_detection_config;
  const total = typeof config === 'object' && config !== null ? (config as Record<string, unknown>).total_analysis_time_millis : undefined;
  return { mode: mode as DetectionMode, totalAnalysisMs: typeof total === 'number' && total > 0 ? total : undefined };
}

/**
 * Schedules detection's webhooks after the answer, as Telnyx documents them on the dial parameter:
 * standard modes send `call.machine.detection.ended` (`human` | `machine` | `not_sure`) after `amdDelayMs`; for a
 * machine, `greeting_end`, `detect_words` and `detect_beep` then send `call.machine.greeting.ended`
 * (`beep_detected`) when the greeting ends (`machineGreetingMs` after the answer); `detect` sends no greeting
 * event. `premium` sends `call.machine.premium.detection.ended` (`human_residence` | `machine` | `not_sure`) and,
 * on a beep, `call.machine.premium.greeting.ended`; a beep before detection finishes sends only the greeting event.
 */
export function startMachineDetection(call: Pick<CallMedia, 'knobs' | 'emit' | 'schedule'>, request: DetectionRequest, answeredBy: AnsweredBy): void {
  const { amdDelayMs, machineGreetingMs } = call.knobs;
  const premium = request.mode === 'premium';
  const givesUp = request.totalAnalysisMs !== undefined && amdDelayMs > request.totalAnalysisMs;
  const detectAt = givesUp ? (request.totalAnalysisMs ?? amdDelayMs) : amdDelayMs;
  const result = givesUp ? 'not_sure' : answeredBy === 'machine' ? 'machine' : premium ? 'human_residence' : 'human';
  const beeps = answeredBy === 'machine' && request.mode !== 'detect';
  const greetingAt = Math.max(machineGreetingMs, premium ? 0 : detectAt);
  const skipDetection = premium && beeps && greetingAt < detectAt;
  if (!skipDetection) {
    const event = premium ? 'call.machine.premium.detection.ended' : 'call.machine.detection.ended';
    call.schedule(detectAt, () => call.emit(event, { result }), true);
  }
  if (beeps) {
    const event = premium ? 'call.machine.premium.greeting.ended' : 'call.machine.greeting.ended';
    call.schedule(greetingAt, () => call.emit(event, { result: 'beep_detected' }), true);
  }
}
