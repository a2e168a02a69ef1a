/** The rolldown plugin: `seedream(options)`. */
import { seedreamUnplugin } from './core.js';

export type { SeedreamUnpluginOptions } from './core.js';
export const seedream = seedreamUnplugin.rolldown;
export default seedream;
