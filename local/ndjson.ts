import { createReadStream } from 'node:fs';

/** One physical line of a file: its 1-based number and its text, or how long it was if too long to keep. */
export type FileLine =
  | { readonly line: number; readonly text: string }
  | { readonly line: number; readonly tooLongBytes: number };

/** Far above any transfer event (16 KiB), so that such lines still get the parser's own reason. */
export const MAX_KEPT_LINE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** The lines completed by one read of the file, and how far into the file that read reached. */
export interface LineChunk {
  readonly lines: readonly FileLine[];
  readonly bytesRead: number;
}

/**
 * Reads a text file line by line, as written by anyone: LF or CRLF endings, a UTF-8 byte order mark,
 * no newline at the end, and lines of any length. Lines longer than maxLineBytes are counted, not
 * kept, so one huge line cannot exhaust memory. Invalid UTF-8 becomes U+FFFD.
 */
export async function* readLines(path: string, maxLineBytes = MAX_KEPT_LINE_BYTES): AsyncGenerator<FileLine> {
  for await (const { lines } of readLineChunks(path, maxLineBytes)) yield* lines;
}

/** readLines a read at a time: one await per 64 KiB instead of one per line, for readers of big files. */
export async function* readLineChunks(path: string, maxLineBytes = MAX_KEPT_LINE_BYTES): AsyncGenerator<LineChunk> {
  // ignoreBOM keeps a BOM in the text: only the one that starts the file is dropped, below.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let parts: Buffer[] = [];
  let kept = 0;
  let length = 0;
  let line = 0;
  let bytesRead = 0;

  const finish = (): FileLine => {
    line += 1;
    const fileLine = lineOf();
    parts = [];
    kept = 0;
    length = 0;
    return fileLine;
  };
  const lineOf = (): FileLine => {
    if (length > maxLineBytes) return { line, tooLongBytes: length };
    // Most lines lie within one read: decode them in place rather than copy them first.
    let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, kept);
    if (bytes.at(-1) === CARRIAGE_RETURN) bytes = bytes.subarray(0, -1);
    if (line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    return { line, text: decoder.decode(bytes) };
  };

  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    bytesRead += chunk.length;
    const lines: FileLine[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      append(chunk.subarray(start, end));
      lines.push(finish());
      start = end + 1;
    }
    append(chunk.subarray(start));
    if (lines.length) yield { lines, bytesRead };
  }
  if (length > 0) yield { lines: [finish()], bytesRead };

  function append(piece: Buffer) {
    length += piece.length;
    if (length <= maxLineBytes) {
      parts.push(piece);
      kept += piece.length;
    }
  }
}
