// Lets plain Node run the TypeScript sources: tsx for .ts, our hook for .wgsl?raw.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./wgsl-loader.js', import.meta.url);
