/** Where the words of a call come from when the person left no message of their own. */
export type JokeSource = {
  /** Always resolves with a joke; implementations fall back rather than fail. */
  next(): Promise<string>;
};
