// Formatting of the repository's sources, in one place.
export default { printWidth: 160, singleQuote: true, trailingComma: 'all' };
