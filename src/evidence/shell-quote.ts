// kept only for src/cli/commands/demo.ts, which another change owns; drop once it imports text/
export { shellQuote } from '../text/shell-quote.js';
