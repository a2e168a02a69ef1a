// The HTTP transport lives in core (`@seedream-kit/core/http`), shared by every UI binding; re-exported here.
export { createHttpTransport } from '@seedream-kit/core/http';
export type { HttpTransportOptions } from '@seedream-kit/core/http';
