/** Activities are plain async functions: they may do I/O, read the clock, use randomness. */
export async function greet(name: string): Promise<string> {
  return `Hello, ${name}!`;
}
