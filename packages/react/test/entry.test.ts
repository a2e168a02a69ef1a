// The shared check lives in the private binding harness (which itself depends on this package, so it is read by
// path here rather than as a dependency).
import { describeBindingEntry } from '../../binding-harness/src/entry.js';

describeBindingEntry('@seedream-kit/react', () => import('../src/index.js'));
