/**
 * Progress of `seedream generate`: on a terminal one bar redrawn in place (`\r`), otherwise one plain line per
 * finished image (what CI logs and pipes want).
 */
export interface Progress {
  start(total: number): void;
  done(label: string, detail: string): void;
  failed(label: string, message: string): void;
  end(): void;
}

const BAR_WIDTH = 24;

export function createProgress(stream: NodeJS.WriteStream): Progress {
  let total = 0;
  let finished = 0;
  if (!stream.isTTY) {
    return {
      start: (count) => {
        total = count;
        if (count > 0) stream.write(`seedream: generating ${count} image${count === 1 ? '' : 's'}\n`);
      },
      done: (label, detail) => void stream.write(`seedream: [${++finished}/${total}] ${label} ${detail}\n`),
      failed: (label, message) => void stream.write(`seedream: [${++finished}/${total}] ${label} FAILED: ${message}\n`),
      end: () => undefined,
    };
  }
  let last = '';
  const draw = (label: string) => {
    const filled = total === 0 ? BAR_WIDTH : Math.round((finished / total) * BAR_WIDTH);
    const line = `seedream ${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)} ${finished}/${total} ${label}`.slice(
      0,
      Math.max(20, (stream.columns || 80) - 1),
    );
    stream.write(`\r${line}${' '.repeat(Math.max(0, last.length - line.length))}`);
    last = line;
  };
  return {
    start: (count) => {
      total = count;
      if (count > 0) draw('');
    },
    done: (label) => {
      finished++;
      draw(label);
    },
    failed: (label, message) => {
      finished++;
      stream.write(`\r${' '.repeat(last.length)}\rseedream: ${label} FAILED: ${message}\n`);
      draw(label);
    },
    end: () => {
      if (total > 0) stream.write('\n');
    },
  };
}
