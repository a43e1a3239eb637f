/**
 * A value in MLflow's search filter. MLflow takes the text between the quotes as it is (no escapes), so a
 * value is quoted with whichever quote it does not hold; one holding both cannot be written (undefined).
 */
export function mlflowLiteral(value: string): string | undefined {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  return undefined;
}

/** `%`, `_` and `\` are LIKE wildcards (and its escape): a search for `a_b` means those characters. */
export const likeText = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
