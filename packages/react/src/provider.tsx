import { createContext, createElement, useContext, type ReactNode } from 'react';
import type { ClientValidator } from '@seedream-kit/core/store';
import type { SeedreamTransport } from '@seedream-kit/core/transport';

export interface SeedreamConfig {
  /** Where generations go: `createHttpTransport({ url: '/api/seedream' })`, or the GraphQL transport. */
  transport?: SeedreamTransport;
  /** Checked in the browser before any request, e.g. core's `validateParams` (adds it to the bundle). */
  validate?: ClientValidator;
}

export const SeedreamContext = createContext<SeedreamConfig>({});

export interface SeedreamProviderProps extends SeedreamConfig {
  children?: ReactNode;
}

/** Configures every `useSeedream` below it. */
export function SeedreamProvider({ children, transport, validate }: SeedreamProviderProps) {
  const parent = useContext(SeedreamContext);
  return createElement(SeedreamContext.Provider, { value: { transport: transport ?? parent.transport, validate: validate ?? parent.validate } }, children);
}
