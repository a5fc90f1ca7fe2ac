// Map keys of the memory store's parts: every key joins its parts (namespace first) with a
// separator no namespace, id or name contains.

export const key = (...parts: string[]): string => parts.join('\u0000');
