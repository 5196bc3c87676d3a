export { DeciderSpecification, deepEqual } from './decider-specification';
