/** The `seedream` bin. */
import { main } from './cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`seedream: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
