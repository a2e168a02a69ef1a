/** What an image module (`seedream:hero`) exports, as a test reads it back from a build (declared in @seedream-kit/art/client). */
export interface ImageModule {
  src: string;
  width: number;
  height: number;
  alt: string;
  placeholder: string;
  format: string;
  /** Responsive images: one `srcset` per format; `{}` otherwise. */
  srcset: Record<string, string>;
  /** Responsive images: the `<source>`s of a `<picture>`; `[]` otherwise. */
  sources: { type: string; srcset: string }[];
}
