import { configDefaults, defineConfig } from 'vitest/config';

// `pnpm mutate` copies the package into .stryker-tmp sandboxes: never collect those copies.
export default defineConfig({
  test: { exclude: [...configDefaults.exclude, '**/.stryker-tmp/**'] },
});
