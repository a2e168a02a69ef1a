export { startStack, FAKE_KEY, MODEL, DENY_HEADER, MAX_BODY_BYTES, MAX_IMAGES_PER_OPERATION, STREAM_IDLE_TIMEOUT, type Stack } from './stack.js';
export {
  describeBindingSuite,
  ERROR_CASES,
  WAIT,
  FIXTURE_MARKUP,
  ONE,
  THREE,
  type BindingDriver,
  type FixtureOptions,
  type FixtureProps,
  type TransportName,
} from './suite.js';
export { describeBindingEntry } from './entry.js';
export { describeBundleSuite, type BundleSuiteOptions } from './bundle-suite.js';
export { describeBrowserSuite, type BrowserApp } from './browser-suite.js';
export { bindingApp, type BindingAppOptions } from './vite-app.js';
export { stackPerFile, type StackPerFile } from './stack-per-file.js';
export { chromiumPath, launchBrowser, type Browser, type LaunchOptions } from './browser.js';
