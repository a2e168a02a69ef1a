import seedream from '@seedream-kit/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    react(),
    // The page's decorative art, generated once and committed in .seedream/: builds read the cache and never pay.
    seedream({
      defaults: { model: 'doubao-seedream-4-0-250828', watermark: false },
      images: {
        header: { prompt: 'Rolling hills under a violet aurora at dusk, a wide panoramic banner', size: '1280x720' },
        empty: {
          prompt: 'An empty easel in a sunlit studio, soft pastel colours',
          size: '1152x864',
          alt: 'An empty easel in a sunlit studio, waiting for the first picture',
        },
      },
    }),
  ],
  build: { target: 'es2022' },
});
