import type { ActionSpeakParams } from 'telnyx/resources/calls/actions';
import type { CallDialParams } from 'telnyx/resources/calls/calls';

type SdkLanguage = NonNullable<ActionSpeakParams['language']>;
type SdkAmdMode = NonNullable<CallDialParams['answering_machine_detection']>;

/** Telnyx's text-to-speech languages, as the SDK's speak parameters list them (config is validated against this). */
export const SPEECH_LANGUAGES = [
  'arb', 'cmn-CN', 'cy-GB', 'da-DK', 'de-DE', 'en-AU', 'en-GB', 'en-GB-WLS', 'en-IN', 'en-US', 'es-ES', 'es-MX',
  'es-US', 'fr-CA', 'fr-FR', 'hi-IN', 'is-IS', 'it-IT', 'ja-JP', 'ko-KR', 'nb-NO', 'nl-NL', 'pl-PL', 'pt-BR',
  'pt-PT', 'ro-RO', 'ru-RU', 'sv-SE', 'tr-TR',
] as const satisfies readonly SdkLanguage[];
export type SpeechLanguage = (typeof SPEECH_LANGUAGES)[number];

/** The dial's `answering_machine_detection` modes, as the SDK's dial parameters list them. */
export const AMD_MODES = ['premium', 'detect', 'detect_beep', 'detect_words', 'greeting_end', 'disabled'] as const satisfies readonly SdkAmdMode[];
export type AmdMode = (typeof AMD_MODES)[number];

// Both lists must cover the SDK's types exactly: a value the SDK adds or drops fails the type check here.
const everyLanguage: Exclude<SdkLanguage, SpeechLanguage> extends never ? true : false = true;
const everyMode: Exclude<SdkAmdMode, AmdMode> extends never ? true : false = true;
void everyLanguage;
void everyMode;

/** The `basic` service level's voices are named by gender only; any other voice (Polly, Azure…) is `premium`. */
export const BASIC_VOICES = ['male', 'female'] as const;

/** The service level a voice needs: `basic` for `male`/`female` (which only speak en-US), `premium` for the rest. */
export function serviceLevelFor(voice: string): 'basic' | 'premium' {
  return (BASIC_VOICES as readonly string[]).includes(voice) ? 'basic' : 'premium';
}

/** Detection modes after which Telnyx reports the end of a machine's greeting (`call.machine.*greeting.ended`). */
export function reportsGreetingEnd(mode: AmdMode): boolean {
  return mode === 'greeting_end' || mode === 'detect_beep' || mode === 'detect_words' || mode === 'premium';
}

/**
 * Modes in which Telnyx reports a greeting's end only when it hears a beep (the SDK's description of
 * `answering_machine_detection`): a machine without one never gets the event, so its message waits a bounded time.
 */
export function reportsGreetingEndOnlyOnBeep(mode: AmdMode): boolean {
  return mode === 'detect_beep' || mode === 'premium';
}
