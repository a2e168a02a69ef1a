/**
 * Types of `seedream:*` imports. Add to tsconfig.json: `"types": ["@seedream-kit/vite/client"]`, or put
 * `/// <reference types="@seedream-kit/vite/client" />` in a `.d.ts` file of your project. The declarations
 * are @seedream-kit/art's, shared by every adapter.
 */
/// <reference types="@seedream-kit/art/client" />
