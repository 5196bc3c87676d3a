export { type Config, loadConfig } from './config';
export { type RunningServer, startServer } from './server';
