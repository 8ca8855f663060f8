/** Who this running process is: a new `instanceId` at each start tells instances apart behind a balancer. */
export type InstanceInfo = { instanceId: string; hostname: string; version: string; startedAt: number };
