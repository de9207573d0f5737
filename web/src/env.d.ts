// Build-time constants (build.mjs `define`) and the stylesheet import that
// esbuild turns into assets/app-<hash>.css.
declare const __APP_VERSION__: string;
declare const __LK_VERSION__: string;
declare module '*.css';
