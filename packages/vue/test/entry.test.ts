import { describeBindingEntry } from '@seedream-kit/binding-harness';

describeBindingEntry('@seedream-kit/vue', () => import('../src/index.js'));
