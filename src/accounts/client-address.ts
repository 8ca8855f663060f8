// The key moved to kernel/ so the HTTP connection caps share it; the account limits keep importing it from here.
export { clientKey } from '../kernel/client-address.ts';
