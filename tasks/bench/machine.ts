import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';

/** The machine a run measured, stated beside every figure so numbers from different hosts are not compared blind. */
export type Machine = {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  os: string;
};

/** Reads the machine description once per run. */
export function describeMachine(): Machine {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${release()}`,
  };
}

/** One line: `2 cores (Intel …), Node v24.21.0, linux 6.1`. */
export function machineLine(machine: Machine): string {
  return `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node}, ${machine.os}`;
}
