/** A Call Control application as the simulator keeps it (the fields `make doctor` and `make setup` read or write). */
export type SimulatedApplication = {
  id: string;
  application_name: string;
  active: boolean;
  webhook_event_url: string;
  outbound: { outbound_voice_profile_id?: string; channel_limit?: number };
};

export type SimulatedOutboundProfile = { id: string; name: string; enabled: boolean; whitelisted_destinations: string[] };

export type SimulatedPhoneNumber = { id: string; phone_number: string; connection_id: string | null; status: 'active' };

/**
 * The account behind the API key, as far as set-up checks look at it: the balance, Call Control applications,
 * outbound voice profiles and phone numbers. Tests change it (`simulator.account`) to break one piece at a time.
 * Which API key is valid: `apiKeys` when not empty, else any.
 */
export type SimulatedAccount = {
  apiKeys: string[];
  balance: string;
  currency: string;
  applications: SimulatedApplication[];
  outboundVoiceProfiles: SimulatedOutboundProfile[];
  phoneNumbers: SimulatedPhoneNumber[];
};
