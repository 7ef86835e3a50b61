// `--progress=rawjson`: every progress event as one JSON object per line (output bytes in base64).
import type { ProgressRenderer, ProgressSink } from './events.js';

export class RawJSONRenderer implements ProgressRenderer {
  constructor(private readonly write: (text: string) => void) {}

  readonly sink: ProgressSink = (e) => {
    this.write(`${JSON.stringify(e.type === 'vertex-log' ? { ...e, data: e.data.toString('base64') } : e)}\n`);
  };

  finish(): void {}

  lastLines(): undefined {
    return undefined;
  }
}
