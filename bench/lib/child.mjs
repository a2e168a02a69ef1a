// Helpers the benches (bench/jobs.mjs, bench/lib/load-instances.mjs) use to talk to the processes
// they fork: the emulator, servers, playground instances. Each child sends one first message (its URL) when ready,
// then answers requests over IPC.
import { fork } from 'node:child_process';

/** Forks `script` with an IPC channel; resolves with the child and its first message once it is ready. */
export async function forkReady(script, args, execArgv = []) {
  const child = fork(script, args, { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const first = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${script} ${args[0] ?? ''} exited with ${code}`)));
  });
  return { child, ...first };
}

/** Sends `message` and resolves with the first answer that holds `key`. */
export function ask(child, message, key) {
  return new Promise((resolve) => {
    const onMessage = (answer) => {
      if (answer && key in answer) {
        child.off('message', onMessage);
        resolve(answer);
      }
    };
    child.on('message', onMessage);
    child.send(message);
  });
}
