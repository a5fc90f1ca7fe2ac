// Stylesheets imported for their side effect (bundled into app-[hash].css by esbuild).
declare module '*.css';
