import { createContext, createElement, useContext, type ReactNode } from 'react';
import type { SeedreamConfig } from '@seedream-kit/core/store';

export type { SeedreamConfig } from '@seedream-kit/core/store';

export const SeedreamContext = createContext<SeedreamConfig>({});

export interface SeedreamProviderProps extends SeedreamConfig {
  children?: ReactNode;
}

/** Configures every `useSeedream` below it. */
export function SeedreamProvider({ children, transport, validate }: SeedreamProviderProps) {
  const parent = useContext(SeedreamContext);
  return createElement(SeedreamContext.Provider, { value: { transport: transport ?? parent.transport, validate: validate ?? parent.validate } }, children);
}
