// What every figure module provides, and what it gets from run.ts.
import type { FigureRow } from './results.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { Tools } from './proc.js';

export interface BenchContext {
  quick: boolean;
  rounds: number;
  tools: Tools;
  /** a temp folder for this run (removed at the end) */
  tmp: string;
  log(message: string): void;
}

export interface Figure {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<FigureRow[]>;
  /**
   * One extra, untimed run of the gateway side of `row` under `node --cpu-prof`, summarised: called by run.ts for
   * each row of this figure that misses its target (full runs), to say what limits it.
   */
  profile?(ctx: BenchContext, row: FigureRow): Promise<ProfileSummary>;
}
