/** Output for people by default, one JSON document with --json. */
export type Output = {
  json: boolean;
  /** The command's result: `human` is printed for people, `data` as JSON for scripts. */
  result(data: unknown, human: string | (() => string)): void;
  /** A line of progress or commentary, for people only, on stderr so stdout stays clean. */
  info(line: string): void;
};

export const jsonReplacer = (_key: string, value: unknown) => (typeof value === 'bigint' ? Number(value) : value);

export function createOutput(json: boolean, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Output {
  return {
    json,
    result(data, human) {
      if (json) out.write(`${JSON.stringify(data, jsonReplacer)}\n`);
      else out.write(`${typeof human === 'function' ? human() : human}\n`);
    },
    info(line) {
      if (!json) err.write(`${line}\n`);
    },
  };
}

/** A progress bar on a terminal; nothing when stderr is not one (CI logs, pipes) or with --json. */
export function progressBar(label: string, enabled: boolean) {
  const tty = enabled && process.stderr.isTTY === true;
  const started = Date.now();
  return {
    update(done: number, total: number) {
      if (!tty) return;
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${Math.round(rate)}/s `);
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}
