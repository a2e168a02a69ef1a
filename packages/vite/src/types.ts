/** Public option and result types of @seedream-kit/vite (the shared ones come from @seedream-kit/art). */
import type { SeedreamArtOptions } from '@seedream-kit/art';

export type {
  SeedreamImage,
  SeedreamImageParams,
  SeedreamImageSpec,
  SeedreamOutputFormat,
  SeedreamSource,
  SeedreamVariantFormat,
} from '@seedream-kit/art';

export interface SeedreamPluginOptions extends SeedreamArtOptions {
  /** URL prefix under which the dev server serves images. Default `/@seedream/`. */
  devPrefix?: string;
}
