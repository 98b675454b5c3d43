/** The process's stdin for exec/run: relayed when piped, EOF at once when it is a terminal or closed. */
export function stdinForExec(): AsyncIterable<Uint8Array> | undefined {
  return process.stdin.isTTY ? undefined : (process.stdin as AsyncIterable<Uint8Array>);
}
