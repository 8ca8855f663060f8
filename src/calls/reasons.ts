/**
 * The reasons stored on calls that more than one module writes or reads (the stores' claims, the call flow, the
 * dialer, the reconciler): one spelling each.
 */

/** Why a call to a number on the do-not-call list ends without being dialed. */
export const OPTED_OUT_REASON = 'the number asked not to be called again';

/** A dial whose outcome is unknown: it stays `dialing` until the carrier says whether the call was placed. */
export const OUTCOME_UNKNOWN_REASON = 'dial outcome unknown: waiting for the carrier to say whether the call was placed';
