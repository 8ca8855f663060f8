import type { AnsweredBy, Heard } from './far-end.ts';
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

/** The detection result a mode reports for what it heard (premium names more kinds than the standard modes). */
export function detectionResult(premium: boolean, answeredBy: AnsweredBy, heard: Heard): string {
  if (!premium) {
    // The standard modes report only human, machine or not_sure (the SDK's CallMachineDetectionEnded).
    if (heard === 'silence') return 'not_sure';
    return answeredBy === 'machine' ? 'machine' : 'human';
  }
  switch (heard) {
    case 'fax':
      return 'fax_detected';
    case 'silence':
      return 'silence';
    case 'business':
      return 'human_business';
    default:
      return answeredBy === 'machine' ? 'machine' : 'human_residence';
  }
}

/**
 * Schedules detection's webhooks after the answer, as Telnyx documents them on the dial parameter:
 * standard modes send `call.machine.detection.ended` (`human` | `machine` | `not_sure`) after `amdDelayMs`;
 * `premium` sends `call.machine.premium.detection.ended` (`human_residence` | `human_business` | `machine` |
 * `silence` | `fax_detected` | `not_sure`). The greeting's end (`machineGreetingMs` after the answer, not before
 * detection ended): `greeting_end` and `detect_words` report it for every machine (`beep_detected`, or `ended` when
 * the greeting had no beep); `detect_beep` and `premium` only when they hear a beep, so a machine without one gets
 * no greeting event at all; `detect` never. A fax has no greeting. A premium beep before detection finishes sends
 * only the greeting event. When detection finishes while a prompt plays, Telnyx cancels it: the speak or gather
 * ends `cancelled_amd` (`onDetected`).
 */
export function startMachineDetection(
  call: Pick<CallMedia, 'knobs' | 'emit' | 'schedule'>,
  request: DetectionRequest,
  answeredBy: AnsweredBy,
  heard: Heard = 'plain',
  onDetected: () => void = () => undefined,
): void {
  const { amdDelayMs, machineGreetingMs } = call.knobs;
  const premium = request.mode === 'premium';
  const givesUp = request.totalAnalysisMs !== undefined && amdDelayMs > request.totalAnalysisMs;
  const detectAt = givesUp ? (request.totalAnalysisMs ?? amdDelayMs) : amdDelayMs;
  const result = givesUp ? 'not_sure' : detectionResult(premium, answeredBy, heard);
  const machine = answeredBy === 'machine' && heard !== 'fax';
  const beeps = machine && heard !== 'beepless';
  const reportsAnyEnd = request.mode === 'greeting_end' || request.mode === 'detect_words';
  const greets = machine && request.mode !== 'detect' && (beeps || reportsAnyEnd);
  const greetingAt = Math.max(machineGreetingMs, premium ? 0 : detectAt);
  const skipDetection = premium && greets && greetingAt < detectAt;
  if (!skipDetection) {
    const event = premium ? 'call.machine.premium.detection.ended' : 'call.machine.detection.ended';
    call.schedule(
      detectAt,
      () => {
        onDetected();
        call.emit(event, { result });
      },
      true,
    );
  }
  if (greets) {
    const event = premium ? 'call.machine.premium.greeting.ended' : 'call.machine.greeting.ended';
    call.schedule(greetingAt, () => call.emit(event, { result: beeps ? 'beep_detected' : 'ended' }), true);
  }
}
