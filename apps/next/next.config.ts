import type { NextConfig } from 'next';

const config: NextConfig = {
  // The workspace root (pnpm's node_modules live there): Turbopack resolves the kit's packages through it.
  turbopack: { root: new URL('../..', import.meta.url).pathname },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
