// What a source file loads when it runs: its static imports, followed through src/, as
// the compiled JavaScript keeps them. `import type` and `export type … from` vanish at
// compile time; `import { type A } from` does not (verbatimModuleSyntax keeps it as a bare
// import), and `await import()` loads only when that code runs, so it is listed apart.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

export interface ModuleImports {
  /** Specifiers loaded when the file is loaded. */
  static: string[];
  /** Specifiers of `import('…')` calls with a literal argument. */
  lazy: string[];
}

export function importsOf(file: string): ModuleImports {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: ModuleImports = { static: [], lazy: [] };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) {
      found.static.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      found.static.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) found.lazy.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `fastify` for `fastify`, `@fastify/static` for `@fastify/static/x`, `node:fs` as is. */
export function packageOf(spec: string): string {
  if (spec.startsWith('node:')) return spec;
  const parts = spec.split('/');
  return (spec.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

export interface LoadedGraph {
  /** Absolute paths of the source files loaded. */
  files: Set<string>;
  /** Packages (and node: builtins) those files import, each with one file that does. */
  packages: Map<string, string>;
}

/**
 * Everything loading `entries` loads, following static imports; with `lazy`, also what
 * their `import()` calls may load later (what a bundler would pack with them).
 */
export function loadedGraph(entries: string[], opts: { lazy?: boolean } = {}): LoadedGraph {
  const graph: LoadedGraph = { files: new Set(), packages: new Map() };
  const pending = [...entries];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (graph.files.has(file)) continue;
    graph.files.add(file);
    const imports = importsOf(file);
    for (const spec of opts.lazy ? [...imports.static, ...imports.lazy] : imports.static) {
      if (spec.startsWith('.')) pending.push(resolve(dirname(file), spec));
      else if (!graph.packages.has(packageOf(spec))) graph.packages.set(packageOf(spec), file);
    }
  }
  return graph;
}
