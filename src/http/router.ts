import type { Router } from 'hono/router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';

/**
 * The app's router. Hono's RegExpRouter matches a path with one regular expression built from every route;
 * its TrieRouter walks a tree of them, which over this app's ~380 routes took 10–15 µs of each request
 * under load (1.2 µs in a loop of its own), 3–4% of an ingested event's CPU. RegExpRouter refuses a
 * method whose routes put a literal segment beside a parameter, and MLflow's API has one (`POST
 * /logged-models/search` beside `POST /logged-models/{model_id}/params`): Hono's default (SmartRouter)
 * then falls back to the tree for every path.
 *
 * So the paths under `prefix` (MLflow's API) have a tree of their own, and every other path the regular
 * expression (or still the tree, should a later route be refused too: SmartRouter decides at the first
 * request). Each route goes to every router whose paths it may match (middleware on `/api/*` or `*` to
 * both), in the order added, so each router answers a path as one router of every route would.
 */
export class PrefixRouter<T> implements Router<T> {
  name = 'PrefixRouter';
  readonly #inside: Router<T> = new TrieRouter<T>();
  readonly #outside: Router<T> = new SmartRouter<T>({ routers: [new RegExpRouter<T>(), new TrieRouter<T>()] });

  /** `prefix` ends with a slash: the paths that start with it are the tree's. */
  constructor(private readonly prefix: string) {}

  add(method: string, path: string, handler: T): void {
    const fixed = literalPrefix(path);
    // A route matches paths that start with its literal part: inside when either begins the other.
    if (fixed.startsWith(this.prefix) || this.prefix.startsWith(fixed)) this.#inside.add(method, path, handler);
    if (!fixed.startsWith(this.prefix)) this.#outside.add(method, path, handler);
  }

  match(method: string, path: string) {
    return path.startsWith(this.prefix) ? this.#inside.match(method, path) : this.#outside.match(method, path);
  }

  /** Which router serves the paths outside the prefix, once one has been matched (for tests). */
  get outsideRouter(): string {
    return this.#outside.name;
  }
}

/** A route path's part before its first parameter or wildcard. */
function literalPrefix(path: string): string {
  const end = path.search(/[:*]/);
  return end < 0 ? path : path.slice(0, end);
}
