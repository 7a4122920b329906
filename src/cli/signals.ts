/**
 * SIGINT and SIGTERM during a run: the first asks the run to stop after the step in flight (the caller then
 * writes its summary and checkpoint); a second one stops at once, after `onForce` has kept what it can.
 */
export class StopSignals {
  private received: NodeJS.Signals | null = null;
  private readonly handler = (signal: NodeJS.Signals): void => {
    if (this.received) {
      this.onForce();
      process.exit(130);
    }
    this.received = signal;
    process.stderr.write(`\ngradscope: ${signal}: finishing the step in flight, then writing the summary and checkpoint (again to quit now)\n`);
  };

  constructor(private readonly onForce: () => void) {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  get stopped(): boolean {
    return this.received !== null;
  }

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}
