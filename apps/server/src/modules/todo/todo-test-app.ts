import { createTestApp, type TestAppOptions } from '@ironstar/web/testing';
import { type TodoModuleOptions, todoModule } from './todo-module';

/** The framework's test app (the production runtime, in memory) running the todo module. */
export const createTodoTestApp = (
  options: Omit<TestAppOptions, 'modules'> & TodoModuleOptions = {},
) => {
  const { pageSize, snapshotEvery, router, ...rest } = options;
  return createTestApp({
    ...rest,
    modules: [
      todoModule({
        ...(pageSize === undefined ? {} : { pageSize }),
        ...(snapshotEvery === undefined ? {} : { snapshotEvery }),
        ...(router === undefined ? {} : { router }),
      }),
    ],
  });
};
