/** The part of a terminal stream a progress bar needs (process.stderr, or a test double). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressBar {
  update(done: number, total: number): void;
  /** Clears the bar's line, so that what follows starts on a clean one. */
  clear(): void;
}

const REDRAW_MS = 100;

/**
 * A one-line progress bar, redrawn in place at most ten times a second: "streaming [#####-----]
 * 12,345/20,000  410/s". Only on a terminal: in a pipe or a CI log it writes nothing.
 */
export function progressBar(stream: ProgressStream, label: string, now: () => number = Date.now): ProgressBar {
  const startedAt = now();
  let drawnAt = 0;
  let drawn = false;
  return {
    update(done, total) {
      if (!stream.isTTY) return;
      const time = now();
      if (time - drawnAt < REDRAW_MS && done < total) return;
      drawnAt = time;
      const share = total > 0 ? Math.min(1, done / total) : 0;
      const rate = done / Math.max(0.001, (time - startedAt) / 1000);
      const counts = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}  ${Math.round(rate).toLocaleString('en-US')}/s`;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - counts.length - 6));
      const filled = Math.round(share * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${counts}\x1b[K`);
      drawn = true;
    },
    clear() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
