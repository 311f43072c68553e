import { vi } from 'vitest';

/** Collects what the code under test writes to stdout (logs, EMF metrics, CLI output) instead of printing it. */
export function captureStdout(): string[] {
  return captureStream(process.stdout);
}

/** Collects a command's stdout and stderr, as a person at the terminal would read them. */
export function captureOutput(): { out: string[]; err: string[] } {
  return { out: captureStream(process.stdout), err: captureStream(process.stderr) };
}

function captureStream(stream: NodeJS.WriteStream): string[] {
  const chunks: string[] = [];
  vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  return chunks;
}
