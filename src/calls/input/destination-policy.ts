import { parsePhoneNumberFromString, type NumberType, type PhoneNumber } from 'libphonenumber-js/max';
import type { FieldError } from '../../kernel/errors.ts';

/**
 * Which destinations may be called at all: every call is dialed on the operator's Telnyx bill, and toll fraud
 * (international revenue share) pays per minute to whoever holds the number called.
 */
export type DestinationRules = {
  /** ISO 3166 alpha-2 codes, plus {@link NON_GEOGRAPHIC} for numbers that belong to no country. */
  allowedCountries: readonly string[];
  /** libphonenumber number types, e.g. `FIXED_LINE`, `MOBILE`. */
  allowedNumberTypes: readonly string[];
};

/**
 * ITU's (and libphonenumber's) region code for numbers of no country: satellite (+870 Inmarsat, +881 Iridium and
 * Globalstar), international networks (+882, +883), universal freephone and premium (+800, +808, +979). They cost
 * far more than a national call and are a favourite of revenue-share fraud, so they need an explicit `001`.
 */
export const NON_GEOGRAPHIC = '001';

/** Types a text-to-speech call reaches at a normal price. Premium rate, shared cost, personal numbers (UK 070,
 *  often forwarded abroad at the caller's expense), UAN, pagers and voicemail need the operator to add them. */
export const DEFAULT_NUMBER_TYPES = ['FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE', 'VOIP'] as const;

/** Every type libphonenumber can report, for config validation. */
export const NUMBER_TYPES = [
  'FIXED_LINE',
  'MOBILE',
  'FIXED_LINE_OR_MOBILE',
  'TOLL_FREE',
  'VOIP',
  'PREMIUM_RATE',
  'SHARED_COST',
  'PERSONAL_NUMBER',
  'UAN',
  'PAGER',
  'VOICEMAIL',
] as const satisfies readonly NumberType[];

/** The caller id used when the simulator stands in for Telnyx (a US number). */
export const SIMULATOR_CALLER_ID = '+12025550100';

const TYPE_WORDS: Partial<Record<string, string>> = {
  PREMIUM_RATE: 'premium-rate numbers',
  SHARED_COST: 'shared-cost numbers',
  PERSONAL_NUMBER: 'personal numbers (such as UK 070)',
  UAN: 'universal access numbers',
  PAGER: 'pagers',
  VOICEMAIL: 'voicemail-only numbers',
};

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

function countryName(code: string): string {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * The allowed countries when the operator named none: the caller id's country (Telnyx's `TELNYX_FROM_NUMBER`, or the
 * simulator's), else `DEFAULT_COUNTRY`.
 */
export function defaultAllowedCountries(fromNumber: string | undefined, defaultCountry: string | null): string[] {
  const country = fromNumber ? parsePhoneNumberFromString(fromNumber)?.country : undefined;
  if (country) return [country];
  return defaultCountry ? [defaultCountry] : [];
}

/** Adds a field error on `to` when `phone` (of `type`, its `getType()`) may not be called under `rules`; true when it may. */
export function checkDestination(phone: PhoneNumber, type: NumberType | undefined, rules: DestinationRules, errors: FieldError[]): boolean {
  const country = phone.country ?? NON_GEOGRAPHIC;
  if (!rules.allowedCountries.includes(country)) {
    const message =
      country === NON_GEOGRAPHIC
        ? `is a satellite or international-network number (+${phone.countryCallingCode}); this service does not call those`
        : `is in ${countryName(country)} (+${phone.countryCallingCode}); this service calls only ${rules.allowedCountries.map(countryName).join(', ') || 'no country'}`;
    errors.push({ path: 'to', message });
    return false;
  }
  if (type === undefined || !rules.allowedNumberTypes.includes(type)) {
    const words = (type && TYPE_WORDS[type]) ?? `numbers of this kind (${(type ?? 'unknown').toLowerCase().replaceAll('_', ' ')})`;
    errors.push({ path: 'to', message: `cannot be called: ${words} are not allowed on this service` });
    return false;
  }
  return true;
}
