// Worker threads do not inherit the parent's TypeScript loader: register tsx here, then load
// the worker itself (src/sim/seed-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./seed-worker.ts');
