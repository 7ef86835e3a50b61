// A parse failure without a location yet: line parsers throw it, and the structure parser
// turns it into a DockerfileError pointing at the instruction that caused it.
export class ParseFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ParseFailure';
  }
}
