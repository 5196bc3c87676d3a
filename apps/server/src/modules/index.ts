import type { Module } from '@ironstar/web';
import type { Config } from '../config';
import { todoModule } from './todo/todo-module';

/** The reference app's aggregate modules: register a new one here, one line. */
export const appModules = (config: Config): readonly Module[] => [
  todoModule({ pageSize: config.todoPageSize, snapshotEvery: config.todoSnapshotEvery }),
];
