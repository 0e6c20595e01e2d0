/** A required environment variable is missing or empty: a deployment fault, so it fails at module init, not mid-event. */
export class MissingEnvironmentError extends Error {
  public override readonly name = 'MissingEnvironmentError';
  public constructor(public readonly variables: readonly string[]) {
    super(`missing environment variable${variables.length > 1 ? 's' : ''}: ${variables.join(', ')}`);
  }
}

/**
 * Reads the named environment variables once, at module initialisation, so that handlers and domain code never
 * read `process.env` themselves. Every name is required; all missing names are reported together.
 */
export function readEnv<const K extends string>(...names: readonly K[]): Readonly<Record<K, string>> {
  const values: Partial<Record<K, string>> = {};
  const missing: string[] = [];
  for (const name of names) {
    const value = process.env[name];
    if (value === undefined || value === '') missing.push(name);
    else values[name] = value;
  }
  if (missing.length > 0) throw new MissingEnvironmentError(missing);
  return values as Record<K, string>; // every key was assigned above
}

/** Like {@link readEnv} for one optional variable: `undefined` when unset or empty. */
export function readOptionalEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}
