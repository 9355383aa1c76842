import { validatePattern } from './validate-pattern';

describe('validatePattern', () => {
  it('accepts literal paths and well-formed globs', () => {
    for (const p of ['apps/api', 'apps/api/src/main.ts', './apps/web/', 'apps/web/**', 'libs/{a,b}/src/**', 'apps/[ab].ts', 'apps/web/app/(auth)/page.tsx', 'apps/@(x|y)/*.ts']) {
      expect(validatePattern(p)).toBeUndefined();
    }
  });

  it('accepts a stray closing bracket in a literal path: that is a real file name', () => {
    expect(validatePattern('docs/notes)')).toBeUndefined();
  });

  it('reports an unclosed bracket, brace or parenthesis', () => {
    expect(validatePattern('[abc')).toBe('`[abc` is not a valid glob: missing closing: "]".');
    expect(validatePattern('apps/[abc/**')).toBe('`apps/[abc/**` is not a valid glob: missing closing: "]".');
    expect(validatePattern('apps/{api,web/**')).toMatch(/^`apps\/\{api,web\/\*\*` is not a valid glob: missing closing: "}"\.$/);
    expect(validatePattern('apps/*(x')).toMatch(/is not a valid glob: missing closing: "\)"/);
  });

  it('still compiles a glob with a stray closer, or longer than picomatch allows, and refuses it', () => {
    expect(validatePattern('apps/**/x)')).toBe('`apps/**/x)` is not a valid glob: missing opening: "(".');
    expect(validatePattern('apps/*/b]')).toBe('`apps/*/b]` is not a valid glob: missing opening: "[".');
    expect(validatePattern(`${'a/'.repeat(40_000)}*`)).toMatch(/is not a valid glob: input length: 80001, exceeds maximum allowed length: 65536\.$/);
  });
});
