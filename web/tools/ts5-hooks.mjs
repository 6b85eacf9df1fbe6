// Module resolution hook for tools/api-types.mjs: openapi-typescript imports `typescript` for the
// TypeScript 5 compiler API (ts.factory, the printer); give it the `typescript5` package instead of
// the project's TypeScript 7, which has no such API. Nothing else is redirected.

export async function resolve(specifier, context, next) {
  if (specifier === 'typescript' && context.parentURL?.includes('/node_modules/openapi-typescript/')) {
    return next('typescript5', context);
  }
  return next(specifier, context);
}
