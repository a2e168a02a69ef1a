/**
 * @seedream-kit/emulator: an offline server speaking the Seedream image-generation HTTP contract
 * (CometAPI `/v1/images/generations` and Ark `/api/v3/images/generations`), with deterministic placeholder
 * art, signed-looking result URLs, SSE streaming, fault injection and a request log.
 */
import { startServer } from './internal/server.js';
import type { Emulator, EmulatorOptions } from './types.js';

export type { Emulator, EmulatorOptions, LatencyOption, LogEntry, LogEntryKind, PlaceholderInput, RequestLog } from './types.js';
export { renderPlaceholder, placeholderSvg } from './internal/art/render.js';
export { FaultSyntaxError } from './internal/faults.js';

/** Starts an emulator; `port: 0` (the default) picks a free port on 127.0.0.1. */
export function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startServer(options);
}
