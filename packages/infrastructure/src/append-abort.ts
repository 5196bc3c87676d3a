import type { RecordedCommand } from '@ironstar/application';

/**
 * Thrown inside an append's transaction only, to make it roll back: shared by both SQL
 * databases' append paths and the process store that appends through them.
 */
export class Abort {
  /** The stream's actual version (a conflict), or the command already recorded. */
  readonly error: number | RecordedCommand;
  constructor(error: number | RecordedCommand) {
    this.error = error;
  }
}
