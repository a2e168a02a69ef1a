// Benchmark of @seedream-kit/react (see packages/react/README.md): the browser cost of `useSeedream` plus the
// HTTP transport (and the provider that configures it), against the nearest hooks of other libraries, all
// measured the same way in the same run:
// esbuild 0.27.7 bundles a one-line entry that re-exports the named functions from the *built* package
// (ESM, minified, platform browser, NODE_ENV=production, react / react-dom external), then zlib gzip level 9.
// Peers: SWR's `useSWRMutation` (swr/mutation), TanStack Query's `useMutation` + `QueryClient` +
// `QueryClientProvider`, `@ai-sdk/react`'s `useCompletion`. Sizes are deterministic; `repeats` only
// re-bundles (median taken for form's sake). Target: ours ≤ 5 KB.
import { bundleSizes } from './lib/bundle-size.mjs';

const entries = {
  ours: {
    label: '@seedream-kit/react useSeedream + createHttpTransport + SeedreamProvider',
    code: "export { useSeedream, createHttpTransport, SeedreamProvider } from '@seedream-kit/react';",
  },
  withValidation: {
    label: 'the same + core validateParams (the optional `validate`)',
    code: "export { useSeedream, createHttpTransport, SeedreamProvider } from '@seedream-kit/react'; export { validateParams } from '@seedream-kit/core';",
  },
  swr: { label: 'swr useSWRMutation', code: "export { default as useSWRMutation } from 'swr/mutation';" },
  tanstack: {
    label: '@tanstack/react-query useMutation + QueryClient + QueryClientProvider',
    code: "export { useMutation, QueryClient, QueryClientProvider } from '@tanstack/react-query';",
  },
  aiSdk: { label: '@ai-sdk/react useCompletion', code: "export { useCompletion } from '@ai-sdk/react';" },
};

export async function run({ repeats = 3 } = {}) {
  const sizes = await bundleSizes(entries, repeats);
  const ours = sizes.ours.kb;
  const rows = [
    {
      name: 'react: useSeedream + HTTP transport (min+gz, React external)',
      value: ours,
      unit: 'KB',
      baseline: sizes.swr.kb,
      baselineName: 'swr useSWRMutation',
      ratio: ours / sizes.swr.kb,
      target: '≤ 5 KB',
      ok: ours <= 5,
      note: `${sizes.ours.minKB.toFixed(1)} KB minified; includes SeedreamProvider`,
    },
  ];
  rows.push({
    name: 'react: useSeedream + HTTP transport + core validateParams (min+gz)',
    value: sizes.withValidation.kb,
    unit: 'KB',
    baseline: ours,
    baselineName: 'useSeedream + HTTP transport',
    ratio: sizes.withValidation.kb / ours,
    note: 'opt-in client-side validation (`validate={validateParams}`); for information, no target',
  });
  for (const key of ['swr', 'tanstack', 'aiSdk']) {
    rows.push({
      name: `react: peer ${entries[key].label} (min+gz)`,
      value: sizes[key].kb,
      unit: 'KB',
      baseline: ours,
      baselineName: 'useSeedream + HTTP transport',
      ratio: sizes[key].kb / ours,
      note: `${sizes[key].minKB.toFixed(1)} KB minified; for scale, no target`,
    });
  }
  return rows;
}
