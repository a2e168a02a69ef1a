import { describeBindingEntry } from '@seedream-kit/binding-harness';

describeBindingEntry('@seedream-kit/svelte', () => import('../src/index.js'));
