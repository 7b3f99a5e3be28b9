import { createInterface } from 'node:readline/promises';

/**
 * Asks on a terminal; anywhere else (a script, a pipe, CI) there is nobody to ask, and the answer is
 * no: an irreversible command then needs its --yes.
 */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
