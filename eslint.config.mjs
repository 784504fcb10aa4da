// `npm run lint`: typescript-eslint's type-aware recommended rules over every TypeScript file of
// the project, with no warnings allowed. Unused exports and files are knip's job (knip.json).
// The web app (web/**/*.ts, web/**/*.tsx) is linted too, typed by its own web/tsconfig.json (DOM, JSX).
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/", "dist/", "artifacts/", "cache/", "coverage/", "typechain-types/", "graphql/generated/", ".data/", "deployments/"],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // `_name` marks a value that is deliberately unused (a destructured field left out, a callback parameter).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
