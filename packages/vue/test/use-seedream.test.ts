// The shared behaviour suite (@seedream-kit/binding-harness) on Vue, in happy-dom with Node's fetch kept.
import { describeBindingSuite } from '@seedream-kit/binding-harness';
import { createApp, h, version } from 'vue';
import { SeedreamProvider } from '../src/index.js';
import Generator from './fixtures/Generator.vue';

describeBindingSuite({
  name: `vue ${version}`,
  mount({ provide, ...props }) {
    const root = document.body.appendChild(document.createElement('div'));
    const app = createApp({ render: () => (provide ? h(SeedreamProvider, provide, () => h(Generator, props)) : h(Generator, props)) });
    app.mount(root);
    return {
      unmount() {
        app.unmount();
        root.remove();
      },
    };
  },
});
