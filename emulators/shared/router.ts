/**
 * A tiny method + regex router. Each route carries the endpoint name that
 * usage stats are recorded under (e.g. `people.connections.list`), so the
 * name is decided once, where the route is declared.
 */
export interface RouteMatch<H> {
  handler: H;
  name: string;
  params: string[];
}

interface Route<H> {
  method: string;
  pattern: RegExp;
  name: string;
  handler: H;
}

export type MatchResult<H> = { kind: "found"; match: RouteMatch<H> } | { kind: "wrong-method"; allowed: string[] } | { kind: "none" };

export class Router<H> {
  private readonly routes: Route<H>[] = [];

  add(method: string, pattern: RegExp, name: string, handler: H): this {
    this.routes.push({ method, pattern, name, handler });
    return this;
  }

  match(method: string, path: string): MatchResult<H> {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      return { kind: "found", match: { handler: route.handler, name: route.name, params: m.slice(1).map((p) => p ?? "") } };
    }
    return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "none" };
  }
}
