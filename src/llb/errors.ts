// The one error type llb throws: an invalid definition or a misuse of the State API.
export class LLBError extends Error {
  override name = 'LLBError';
}
