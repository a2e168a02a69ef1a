import { defineComponent, inject, provide, type InjectionKey, type PropType } from 'vue';
import type { ClientValidator, SeedreamConfig } from '@seedream-kit/core/store';
import type { SeedreamTransport } from '@seedream-kit/core/transport';

export type { SeedreamConfig } from '@seedream-kit/core/store';

/** What `useSeedream` injects; `app.provide(SEEDREAM_KEY, { transport })` configures a whole app. */
export const SEEDREAM_KEY: InjectionKey<SeedreamConfig> = Symbol('seedream-kit');

/** Configures every `useSeedream` of the calling component's descendants (call it in `setup`). */
export function provideSeedream(config: SeedreamConfig): void {
  provide(SEEDREAM_KEY, config);
}

/** `<SeedreamProvider :transport :validate>`: the same as a component; unset props fall back to an outer provider. */
export const SeedreamProvider = defineComponent({
  name: 'SeedreamProvider',
  props: {
    transport: { type: Object as PropType<SeedreamTransport>, default: undefined },
    validate: { type: Function as PropType<ClientValidator>, default: undefined },
  },
  setup(props, { slots }) {
    const outer = inject(SEEDREAM_KEY, {});
    // Getters: read at each generation, so a changed prop applies to the next call.
    provideSeedream({
      get transport() {
        return props.transport ?? outer.transport;
      },
      get validate() {
        return props.validate ?? outer.validate;
      },
    });
    return () => slots.default?.();
  },
});
