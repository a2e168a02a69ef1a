// The emulator in a process of its own, for bench/jobs.mjs and bench/load.mjs: `startEmulator` of
// @seedream-kit/emulator (what its CLI runs), with options as JSON in argv[2], forked with an IPC channel. It adds
// what another process cannot read from the CLI:
// - Image-event timestamps: every `image_generation.partial_succeeded` event is stamped just before its
//   `res.write` with process.hrtime (CLOCK_MONOTONIC: one clock for every process on the machine), keyed by the
//   image's URL (every result URL is unique). A client stamping the same URL on arrival with the same clock gets
//   the delay from the emulator emitting the event to the client having it, across processes.
// - Upstream requests: the emulator's own request log (`log.generations()`), counted by prompt, so a load test
//   that tags prompts can count upstream requests per tag.
// IPC: first message { url, baseURL }; then 'taps' → { taps: [[url, ms], …] } (and forgets them),
// 'requests' → { requests: { prompt: n }, generations, aborted }, 'rss' → { rss }, 'close' → exits.
import http from 'node:http';
import { startEmulator } from '@seedream-kit/emulator';

const nowMs = () => Number(process.hrtime.bigint() / 1000n) / 1000;
const PREFIX = 'event: image_generation.partial_succeeded';
let taps = [];

const write = http.ServerResponse.prototype.write;
http.ServerResponse.prototype.write = function tappedWrite(chunk, ...rest) {
  if (typeof chunk === 'string' && chunk.startsWith(PREFIX)) {
    const url = /"url":"([^"]+)"/.exec(chunk)?.[1];
    if (url) taps.push([url, nowMs()]);
  }
  return write.call(this, chunk, ...rest);
};

const options = JSON.parse(process.argv[2] ?? '{}');
const emulator = await startEmulator({ port: 0, host: '127.0.0.1', ...options });

process.on('message', (message) => {
  if (message === 'taps') {
    process.send?.({ taps });
    taps = [];
  } else if (message === 'requests') {
    const requests = {};
    let aborted = 0;
    const entries = emulator.log.generations();
    for (const entry of entries) {
      const prompt = String(entry.body?.prompt ?? '');
      requests[prompt] = (requests[prompt] ?? 0) + 1;
      if (entry.aborted) aborted++;
    }
    process.send?.({ requests, generations: entries.length, aborted });
  } else if (message === 'rss') {
    process.send?.({ rss: process.memoryUsage().rss });
  } else if (message === 'close') {
    emulator.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0)); // the bench went away: never outlive it
process.send?.({ url: emulator.url, baseURL: emulator.baseURL });
