import { describe, expect, it } from 'vitest';
import { progressBar } from '#local/progress.ts';

describe('progressBar', () => {
  const stream = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, isTTY, columns: 80, write: (text: string) => written.push(text) };
  };

  it('redraws one line in place on a terminal, at most ten times a second, and always at the end', () => {
    const terminal = stream(true);
    let now = 0;
    const bar = progressBar(terminal, 'screening', () => now);
    now = 1000;
    bar.update(500, 2000);
    now = 1050;
    bar.update(600, 2000);
    now = 2000;
    bar.update(2000, 2000);
    bar.clear();
    expect(terminal.written).toHaveLength(3);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's erase-line escape is what is under test
    expect(terminal.written[0]).toMatch(/^\rscreening \[#{10}-{30}\] 500\/2,000 {2}500\/s\x1b\[K$/);
    expect(terminal.written[1]).toContain('2,000/2,000  1,000/s');
    expect(terminal.written[2]).toBe('\r\x1b[K');
  });

  it('writes nothing when stderr is a pipe or a CI log', () => {
    const pipe = stream(false);
    const bar = progressBar(pipe, 'screening');
    bar.update(10, 20);
    bar.clear();
    expect(pipe.written).toEqual([]);
  });
});
