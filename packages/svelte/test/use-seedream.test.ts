// The shared behaviour suite (@seedream-kit/binding-harness) on Svelte 5, in happy-dom with Node's fetch kept.
import { describeBindingSuite } from '@seedream-kit/binding-harness';
import { mount, unmount } from 'svelte';
import { VERSION } from 'svelte/compiler';
import Generator from './fixtures/Generator.svelte';
import Provided from './fixtures/Provided.svelte';

describeBindingSuite({
  name: `svelte ${VERSION}`,
  mount({ provide, ...props }) {
    const target = document.body.appendChild(document.createElement('div'));
    const component = provide ? mount(Provided, { target, props: { ...props, provide } }) : mount(Generator, { target, props });
    return {
      unmount() {
        void unmount(component);
        target.remove();
      },
    };
  },
});
