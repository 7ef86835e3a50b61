// Placeholder until the parser lands (issue 2): replaced by the real dump.
export async function runDebugAst(_file: string): Promise<void> {
  throw new Error('debug ast: parser not built yet');
}
